package io.sink.shell.socket.internal;

import io.sink.api.config.InvalidConfigurationException;
import io.sink.api.text.Printable;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationPlugin;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps an invalid reference target filter ({@code eventLog.target = (broken}) away from the
 * components: Declarative Services would otherwise deactivate the component and log its own stack
 * traces, and the component would stay down until the value is fixed. Every configuration that
 * ConfigurationAdmin hands out (DS reads them through {@code getProcessedProperties}) passes this
 * plugin: a property whose name ends in {@code .target} and whose value is not a valid filter is
 * refused with ONE error line naming the PID, the property, the value (escaped) and why, and is
 * replaced by the last valid value seen for that PID and property, or removed when there was none (the
 * component's default target then applies). The component keeps running on its previous target.
 *
 * <p>In this bundle because it is in every role's core feature with Declarative Services; it needs
 * nothing of the shell socket. Stateless apart from the last valid targets; thread-safe.
 */
@Component(service = ConfigurationPlugin.class, immediate = true,
        property = {ConfigurationPlugin.CM_RANKING + ":Integer=500"})
public final class TargetFilterGuard implements ConfigurationPlugin {
    private static final Logger LOG = LoggerFactory.getLogger(TargetFilterGuard.class);
    private static final String SUFFIX = ".target";

    /** Per PID and property, the last valid target seen. */
    private final Map<String, Object> lastValid = new HashMap<>();
    /** Per PID and property, the invalid value refused last (logged once, not at every read). */
    private final Map<String, Object> lastRefused = new HashMap<>();

    @Override
    public void modifyConfiguration(ServiceReference<?> reference, Dictionary<String, Object> properties) {
        Object pid = properties.get(Constants.SERVICE_PID);
        String who = pid == null ? "(no PID)" : pid.toString();
        Set<String> keys = new HashSet<>();
        for (Enumeration<String> e = properties.keys(); e.hasMoreElements();) {
            String key = e.nextElement();
            if (key.endsWith(SUFFIX) && key.length() > SUFFIX.length()) {
                keys.add(key);
            }
        }
        for (String key : keys) {
            Object value = properties.get(key);
            String why = invalidBecause(value);
            String slot = who + '\u0000' + key;
            synchronized (this) {
                if (why == null) {
                    lastValid.put(slot, value);
                    lastRefused.remove(slot);
                    continue;
                }
                Object previous = lastValid.get(slot);
                if (!Objects.equals(lastRefused.put(slot, value), value)) {
                    LOG.error("{}; {}", new InvalidConfigurationException(Printable.text(who), Printable.text(key),
                            value, why).getMessage(),
                            previous == null ? "the property is ignored (the component's default target applies)"
                                    : "the component keeps its previous target " + InvalidConfigurationException
                                            .quote(previous));
                }
                if (previous == null) {
                    properties.remove(key);
                } else {
                    properties.put(key, previous);
                }
            }
        }
    }

    /** Why {@code value} is not a target filter, or null when it is one. */
    static String invalidBecause(Object value) {
        if (!(value instanceof String filter)) {
            return "must be one filter text, e.g. (sink.store.type=sqlite)";
        }
        try {
            FrameworkUtil.createFilter(filter);
            return null;
        } catch (InvalidSyntaxException e) {
            return "not a valid filter: " + Printable.inline(e.getMessage()); // it quotes the filter
        }
    }
}
