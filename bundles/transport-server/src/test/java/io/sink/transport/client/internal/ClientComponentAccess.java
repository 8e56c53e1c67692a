package io.sink.transport.client.internal;

import io.sink.api.client.ClientHandler;
import java.util.Map;
import org.osgi.framework.BundleContext;

/**
 * The client component's lifecycle methods, which SCR calls and which are package-private, for the
 * tests of the server module that run it against a server (io.sink.transport.server.internal's
 * ReconfigurationTest). Test code only: this package is the client bundle's, on the test class path.
 */
public final class ClientComponentAccess {
    private final SinkClientComponent component = new SinkClientComponent();

    public static ClientSettings settings(SinkClientComponent.Config config, Map<String, Object> properties) {
        return SinkClientComponent.settings(config, properties);
    }

    public void bindHandler(ClientHandler handler) {
        component.bindHandler(handler);
    }

    public void activate(BundleContext context, SinkClientComponent.Config config, Map<String, Object> properties)
            throws Exception {
        component.activate(context, config, properties);
    }

    public void modified(BundleContext context, SinkClientComponent.Config config, Map<String, Object> properties) {
        component.modified(context, config, properties);
    }

    public void deactivate() throws InterruptedException {
        component.deactivate();
    }

    public SinkClientComponent component() {
        return component;
    }
}
