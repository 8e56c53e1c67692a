package io.sink.sensor.config.internal;

import io.sink.api.text.Printable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.List;
import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code sensor:list}: the simulated sensors configured on this client, one line each: the key of
 * its readings, where it came from ({@code server}: configured by the server, with its display name
 * as label; {@code local}: a configuration file of this client) and its period. Names are escaped.
 */
@Component(service = SensorListCommand.class,
        property = {"osgi.command.scope=sensor", "osgi.command.function=list"})
public final class SensorListCommand {
    private final ConfigurationAdmin configAdmin;

    @Activate
    public SensorListCommand(@Reference ConfigurationAdmin configAdmin) {
        this.configAdmin = configAdmin;
    }

    @Descriptor("Lists the simulated sensors with their origin (server or local), key, label and period")
    public String list() throws IOException, InvalidSyntaxException {
        Configuration[] configurations = configAdmin.listConfigurations(
                "(service.factoryPid=" + SensorConfigApplier.FACTORY_PID + ")");
        if (configurations == null || configurations.length == 0) {
            return "no simulated sensors are configured";
        }
        List<String> lines = new ArrayList<>();
        for (Configuration c : configurations) {
            lines.add(line(c.getProperties()));
        }
        lines.sort(null);
        return String.join("\n", lines);
    }

    static String line(Dictionary<String, Object> p) {
        boolean server = SensorConfigApplier.SERVER.equals(String.valueOf(p.get(SensorConfigApplier.ORIGIN)));
        Object name = p.get("name");
        Object label = p.get(SensorConfigApplier.LABEL);
        Object period = p.get("periodMillis");
        return (server ? "server " : "local  ") + Printable.quoted(name == null ? "simulated" : name.toString(), 256)
                + (label == null ? "" : " label " + Printable.quoted(label.toString(), 256))
                + " every " + (period == null ? "10000" : Printable.text(period.toString(), 32)) + " ms";
    }
}
