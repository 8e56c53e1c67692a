package io.sink.server.sensors.internal;

import io.sink.api.server.sensors.SensorDirectory;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Function;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Registers the {@code sink:sensor-*} and {@code sink:sensors} Gogo commands: their names are not
 * Java method names, so each is a {@link Function} service (scope {@code sink}) calling
 * {@link SensorCommands}. The directory is optional and dynamic: a command run without it says so.
 */
@Component(service = {})
public final class SensorCommandsComponent {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile SensorDirectory directory;

    private final SensorCommands commands = new SensorCommands(() -> directory);
    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();

    /** One command. */
    private static final class Command implements Function {
        private final SensorCommands commands;
        private final String name;

        Command(SensorCommands commands, String name) {
            this.commands = commands;
            this.name = name;
        }

        @Override
        @Descriptor("runs the command; a wrong or missing argument shows its usage")
        public Object execute(@Descriptor("the shell session") CommandSession session,
                @Descriptor("the arguments") List<Object> arguments) {
            return commands.run(name, arguments);
        }
    }

    @Activate
    void activate(BundleContext context) {
        for (String name : SensorCommands.USAGES.keySet()) {
            Hashtable<String, Object> properties = new Hashtable<>();
            properties.put("osgi.command.scope", "sink");
            properties.put("osgi.command.function", name);
            registrations.add(context.registerService(Function.class, new Command(commands, name), properties));
        }
    }

    @Deactivate
    void deactivate() {
        for (ServiceRegistration<?> r : registrations) {
            try {
                r.unregister();
            } catch (IllegalStateException e) {
                // unregistered with the bundle already
            }
        }
        registrations.clear();
    }
}
