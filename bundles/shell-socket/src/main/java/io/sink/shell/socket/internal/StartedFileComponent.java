package io.sink.shell.socket.internal;

import java.io.IOException;
import java.nio.file.Path;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes {@code data/sink.started} under the framework property {@code sink.home} once the framework
 * has started (the system bundle ACTIVE: every start level reached, its bundles started), holding this
 * JVM's pid; removes it when deactivated. {@code bin/sink ROLE start} waits for that file: asking over
 * the shell socket instead took a JVM of its own, whose CPU time the starting instance missed on a
 * small machine (about 0.18 s of a client's start -> connected on two cores, measured). Without
 * {@code sink.home} (a framework not started by {@code bin/sink}) it does nothing.
 */
@Component(service = {}, immediate = true)
public final class StartedFileComponent implements FrameworkListener {
    /** Relative to sink.home; bin/sink reads it there. */
    static final String FILE = "data/sink.started";

    private static final Logger LOG = LoggerFactory.getLogger(StartedFileComponent.class);

    private BundleContext context;
    private StartedFile started;

    @Activate
    void activate(BundleContext context) {
        String home = context.getProperty(ShellSocketComponent.HOME_PROPERTY);
        if (home == null || home.isBlank()) {
            return;
        }
        this.context = context;
        started = new StartedFile(Path.of(home).resolve(FILE), ProcessHandle.current().pid());
        context.addFrameworkListener(this);
        // activated after the framework started (e.g. this bundle restarted): there is no STARTED event to wait for
        if (context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).getState() == Bundle.ACTIVE) {
            write();
        }
    }

    @Override
    public void frameworkEvent(FrameworkEvent event) {
        if (event.getType() == FrameworkEvent.STARTED) {
            write();
        }
    }

    @Deactivate
    void deactivate() {
        if (started == null) {
            return;
        }
        context.removeFrameworkListener(this);
        try {
            started.remove();
        } catch (IOException e) {
            LOG.warn("Cannot remove {}: {}", started.path(), e.toString());
        }
    }

    private synchronized void write() {
        try {
            started.write();
        } catch (IOException e) {
            LOG.warn("Cannot write {} (bin/sink start waits for it): {}", started.path(), e.toString());
        }
    }
}
