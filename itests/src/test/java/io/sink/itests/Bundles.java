package io.sink.itests;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Version;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;

/** Questions about the bundles in a running framework, with failure messages that say why. */
public final class Bundles {

    private Bundles() {
    }

    /** The bundle with this symbolic name; fails listing the installed bundles when there is none. */
    public static Bundle bySymbolicName(BundleContext context, String symbolicName) {
        return Arrays.stream(context.getBundles()).filter(b -> symbolicName.equals(b.getSymbolicName()))
                .findFirst().orElseThrow(() -> new AssertionError("no bundle " + symbolicName + " installed; "
                        + describe(context)));
    }

    /** Fails if the bundle is not ACTIVE, with the framework's reason when it does not resolve. */
    public static Bundle requireActive(BundleContext context, String symbolicName) {
        Bundle bundle = bySymbolicName(context, symbolicName);
        if (bundle.getState() != Bundle.ACTIVE) {
            throw new AssertionError(symbolicName + " is " + stateName(bundle.getState()) + ", not ACTIVE"
                    + reason(bundle));
        }
        return bundle;
    }

    /**
     * Fails if any bundle is not resolved (INSTALLED), naming each with the framework's reason: the
     * check that catches a missing or mismatched import.
     */
    public static void requireAllResolved(BundleContext context) {
        List<String> problems = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            if (b.getState() == Bundle.INSTALLED) {
                problems.add(b.getSymbolicName() + " " + b.getVersion() + reason(b));
            }
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("unresolved bundles:\n  " + String.join("\n  ", problems));
        }
    }

    /** Package name to version, for each package the bundle exports. */
    public static Map<String, Version> exportedPackages(Bundle bundle) {
        BundleWiring wiring = bundle.adapt(BundleWiring.class);
        if (wiring == null) {
            throw new AssertionError(bundle.getSymbolicName() + " has no wiring: it is not resolved" + reason(bundle));
        }
        Map<String, Version> exports = new TreeMap<>();
        for (BundleCapability c : wiring.getCapabilities(PackageNamespace.PACKAGE_NAMESPACE)) {
            exports.put((String) c.getAttributes().get(PackageNamespace.PACKAGE_NAMESPACE),
                    (Version) c.getAttributes().get(PackageNamespace.CAPABILITY_VERSION_ATTRIBUTE));
        }
        return exports;
    }

    /**
     * The bundle that {@code bundle} imports {@code packageName} from, or null when the import is not
     * wired (absent, or an optional import left unsatisfied).
     */
    public static Bundle importedFrom(Bundle bundle, String packageName) {
        BundleWiring wiring = bundle.adapt(BundleWiring.class);
        if (wiring == null) {
            return null;
        }
        for (BundleWire wire : wiring.getRequiredWires(PackageNamespace.PACKAGE_NAMESPACE)) {
            if (packageName.equals(wire.getCapability().getAttributes().get(PackageNamespace.PACKAGE_NAMESPACE))) {
                return wire.getProvider().getBundle();
            }
        }
        return null;
    }

    /** One line per bundle: id, symbolic name, version, state. */
    public static String describe(BundleContext context) {
        return "bundles:\n" + Arrays.stream(context.getBundles())
                .map(b -> "  " + b.getBundleId() + " " + b.getSymbolicName() + " " + b.getVersion() + " "
                        + stateName(b.getState()))
                .collect(Collectors.joining("\n"));
    }

    public static String stateName(int state) {
        return switch (state) {
            case Bundle.UNINSTALLED -> "UNINSTALLED";
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            case Bundle.ACTIVE -> "ACTIVE";
            default -> "state " + state;
        };
    }

    /** Why the framework cannot resolve {@code bundle}: the message of a start attempt, if it fails. */
    private static String reason(Bundle bundle) {
        if (bundle.getState() != Bundle.INSTALLED) {
            return "";
        }
        if (bundle.adapt(BundleRevision.class) != null
                && (bundle.adapt(BundleRevision.class).getTypes() & BundleRevision.TYPE_FRAGMENT) != 0) {
            return " (a fragment not attached to any host)";
        }
        try {
            bundle.start(Bundle.START_TRANSIENT);
            return " (it started when asked)";
        } catch (BundleException e) {
            return ": " + e.getMessage();
        }
    }
}
