package io.sink.itests;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.File;
import java.util.Arrays;
import java.util.stream.Stream;

import org.ops4j.pax.exam.Option;

/**
 * Building blocks for Pax Exam {@code @Configuration} methods: a Felix core and the bundle sets the
 * Sink bundles run on.
 *
 * <p>A test combines them with {@link #config(Option...)}:
 *
 * <pre>{@code
 * @Configuration
 * public Option[] config() {
 *     return SinkOptions.config(SinkOptions.sinkBundles("api", "protocol"), SinkOptions.netty());
 * }
 * }</pre>
 *
 * <p>Third-party bundles are the {@code mvn:} URLs of the Karaf features of {@code features/} (the one
 * list the distribution and the Karaf test are made from; see {@link Features}): each must also be a
 * test dependency of sink-itests, so that Maven puts it in the local repository that Pax Exam reads
 * offline. Our own
 * bundles are jar files named by the system properties {@code sink.bundle.<name>}, which failsafe
 * sets from the reactor (see the POM).
 */
public final class SinkOptions {

    /** Prefix of the system properties that hold our bundles' jar paths: {@code sink.bundle.api}, ... */
    public static final String BUNDLE_PROPERTY_PREFIX = "sink.bundle.";

    /** Level of the container's fallback logger; raise it to DEBUG by hand when a test needs it. */
    public static final String CONTAINER_LOG_LEVEL = "WARN";

    private static final int LOGGING_START_LEVEL = 1;
    private static final int SERVICES_START_LEVEL = 2;

    private SinkOptions() {
    }

    /** The Felix core ({@link #felixCore()}) followed by {@code extra}, as Pax Exam wants it. */
    public static Option[] config(Option... extra) {
        return Stream.concat(Stream.of(felixCore()), Arrays.stream(extra)).toArray(Option[]::new);
    }

    /**
     * Logging, Declarative Services, Configuration Admin and the JUnit bundles: what every Sink test
     * container has. The framework itself is Apache Felix, found on the test class path.
     */
    public static Option felixCore() {
        return composite(logging(), declarativeServices(), configAdmin(), junitBundles());
    }

    /**
     * pax-logging-api: SLF4J 1.7/2 and commons-logging for the bundles and the OSGi LogService, with its
     * fallback logger (stdout) kept at {@value #CONTAINER_LOG_LEVEL}. It starts first so that no bundle
     * wires to another SLF4J (Netty imports org.slf4j optionally and has DynamicImport-Package: *).
     */
    public static Option logging() {
        return composite(
                systemProperty("org.ops4j.pax.logging.DefaultServiceLog.level").value(CONTAINER_LOG_LEVEL),
                frameworkProperty("org.ops4j.pax.logging.DefaultServiceLog.level").value(CONTAINER_LOG_LEVEL),
                fromFeature("felix-boot", LOGGING_START_LEVEL, "mvn:org.ops4j.pax.logging/pax-logging-api/"));
    }

    /** Felix SCR 2.2 and the OSGi packages it needs (component, promise, function). */
    public static Option declarativeServices() {
        return fromFeature("sink-core", SERVICES_START_LEVEL, "mvn:org.osgi/org.osgi.util.function/",
                "mvn:org.osgi/org.osgi.util.promise/", "mvn:org.osgi/org.osgi.service.component/",
                "mvn:org.apache.felix/org.apache.felix.scr/");
    }

    /** Felix Configuration Admin. */
    public static Option configAdmin() {
        return fromFeature("felix-boot", SERVICES_START_LEVEL, "mvn:org.apache.felix/org.apache.felix.configadmin/");
    }

    /**
     * Netty 4.2 (common, buffer, resolver, transport, native-unix-common, codec-base, handler), NIO
     * transport. Netty's SLF4J logging needs {@link #logging()} (in {@link #felixCore()}); to let
     * netty-handler use Bouncy Castle (PEM keys, self-signed certificates) add {@link #bouncyCastle()} in
     * the same container: its imports of org.bouncycastle are optional, wired only if BC is installed
     * when netty-handler resolves.
     */
    public static Option netty() {
        return fromFeature("sink-core", null, "mvn:io.netty/");
    }

    /** Bouncy Castle provider, util and PKIX (certificates, PEM, CSRs). */
    public static Option bouncyCastle() {
        return fromFeature("sink-core", null, "mvn:org.bouncycastle/");
    }

    /**
     * SQLite over OSGi JDBC and Aries Transaction Control: the sqlite-jdbc driver, pax-jdbc-sqlite (a
     * DataSourceFactory with {@code osgi.jdbc.driver.class=org.sqlite.JDBC}), the OSGi JDBC service
     * package, and Aries tx-control (local TransactionControl, pooled JDBCConnectionProviderFactory).
     *
     * <p>The OSGi bundle org.osgi.service.transaction.control is deliberately absent: it requires
     * javax.persistence and org.osgi.service.jpa, which nothing here provides; the Aries bundles export
     * the org.osgi.service.transaction.control(.jdbc) packages themselves. Needs
     * {@link #configAdmin()} and {@link #logging()} (both in {@link #felixCore()}).
     */
    public static Option sqlite() {
        return fromFeature("sink-core", null, "mvn:org.osgi/org.osgi.service.jdbc/", "mvn:org.xerial/sqlite-jdbc/",
                "mvn:org.ops4j.pax.jdbc/pax-jdbc-sqlite/", "mvn:org.apache.aries.tx-control/");
    }

    /** The Gogo runtime: a CommandProcessor to run our shell commands in a session, without a console. */
    public static Option gogo() {
        return fromFeature("sink-core", null, "mvn:org.apache.felix/org.apache.felix.gogo.runtime/");
    }

    /** Several of our bundles by short name, in the given order: {@code sinkBundles("api", "protocol")}. */
    public static Option sinkBundles(String... names) {
        return composite(Arrays.stream(names).map(SinkOptions::sinkBundle).toArray(Option[]::new));
    }

    /**
     * One of our bundles by short name ({@code "api"} for sink-api), installed from the jar file named
     * by the system property {@code sink.bundle.<name>}.
     *
     * @throws IllegalStateException if the property is not set or names no file
     */
    public static Option sinkBundle(String name) {
        return bundle(new File(sinkBundlePath(name)).toURI().toString());
    }

    /** The jar path of one of our bundles, from the system property {@code sink.bundle.<name>}. */
    public static String sinkBundlePath(String name) {
        String property = BUNDLE_PROPERTY_PREFIX + name;
        String path = System.getProperty(property);
        if (path == null || path.isBlank() || path.startsWith("${")) {
            throw new IllegalStateException("system property " + property + " is not set"
                    + (path == null ? "" : " (its value is '" + path + "')")
                    + ": add io.sink:sink-" + name + " as a test dependency of itests/pom.xml and <" + property
                    + ">${io.sink:sink-" + name + ":jar}</" + property
                    + "> to the failsafe systemPropertyVariables there; when running outside Maven, pass -D"
                    + property + "=/path/to/sink-" + name + ".jar");
        }
        if (!new File(path).isFile()) {
            throw new IllegalStateException("system property " + property + " names " + path
                    + ", which is not a file: build the bundle first (mvn package in its module)");
        }
        return path;
    }

    /**
     * Third-party bundles as the features of {@code features/} name them (URL and version), those of
     * {@code feature} starting with one of {@code prefixes}; at {@code startLevel} unless null.
     */
    private static Option fromFeature(String feature, Integer startLevel, String... prefixes) {
        return composite(Features.bundles(feature, prefixes).stream()
                .map(url -> startLevel == null ? bundle(url) : bundle(url).startLevel(startLevel))
                .toArray(Option[]::new));
    }
}
