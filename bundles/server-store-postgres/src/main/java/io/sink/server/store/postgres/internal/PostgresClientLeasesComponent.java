package io.sink.server.store.postgres.internal;

import io.sink.api.config.ConfigurationCheck;
import io.sink.api.server.ClientLeases;
import io.sink.api.text.Printable;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jdbc.DataSourceFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.transaction.control.TransactionControl;
import org.osgi.service.transaction.control.jdbc.JDBCConnectionProviderFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet's leases ({@link ClientLeases}) in the PostgreSQL database of PID
 * {@value PostgresReceivedEventStoreComponent#PID}, for server nodes sharing their clients: active only
 * when both that PID and {@value #PID} are configured. The transport takes a lease per accepted
 * connection; see {@link PostgresClientLeases}.
 *
 * <p>(No {@code @Designate}: bnd links a designate to exactly one PID and this component has two; the
 * metatype of {@link Config} is generated all the same.)
 */
@Component(service = ClientLeases.class, configurationPolicy = ConfigurationPolicy.REQUIRE,
        configurationPid = {PostgresReceivedEventStoreComponent.PID, PostgresClientLeasesComponent.PID})
public final class PostgresClientLeasesComponent implements ClientLeases {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresClientLeasesComponent.class);
    /** Configuration PID of the fleet's settings (the database is that of the event store's PID). */
    public static final String PID = "io.sink.server.fleet";
    private static final Pattern NODE = Pattern.compile("[A-Za-z0-9._:-]{1,100}");

    @ObjectClassDefinition(id = PID, name = "Sink server fleet",
            description = "Several server nodes sharing their clients through the PostgreSQL database of"
                    + " io.sink.server.store.postgresql: one live connection per client fleet-wide (the newest wins),"
                    + " quarantines closing connections on every node.")
    public @interface Config {
        @AttributeDefinition(name = "Node name", description = "This node's name in the lease rows (letters,"
                + " digits, . _ : -); empty: the host name. A random suffix makes each start unique.")
        String node() default "";

        @AttributeDefinition(name = "Renew interval", description = "Milliseconds between two renewals of this"
                + " node's leases, 100 to 60000: how soon a connection replaced or quarantined through another"
                + " node is closed.")
        long renewMillis() default 1000;

        @AttributeDefinition(name = "Lease duration", description = "Seconds a lease lasts unless renewed, 1 to"
                + " 3600, and at least two renew intervals: a dead node's leases expire after it.")
        int leaseSeconds() default 10;
    }

    /** Validated fleet settings. */
    record FleetSettings(String node, Duration renewInterval, Duration leaseDuration) {
    }

    private final DataSourceFactory dataSourceFactory;
    private final TransactionControl transactionControl;
    private final JDBCConnectionProviderFactory providerFactory;
    private final SecureRandom random = new SecureRandom();
    private volatile FleetSettings fleet;
    private volatile PostgresResource<PostgresClientLeases> leases;

    @Activate
    public PostgresClientLeasesComponent(
            @Reference(name = "dataSourceFactory", target = "(" + DataSourceFactory.OSGI_JDBC_DRIVER_CLASS + "="
                    + PostgresReceivedEventStoreComponent.DRIVER_CLASS + ")") DataSourceFactory dataSourceFactory,
            @Reference(name = "transactionControl") TransactionControl transactionControl,
            @Reference(name = "connectionProviderFactory") JDBCConnectionProviderFactory providerFactory,
            PostgresReceivedEventStoreComponent.Config store, Config config, Map<String, Object> properties) {
        this.dataSourceFactory = dataSourceFactory;
        this.transactionControl = transactionControl;
        this.providerFactory = providerFactory;
        this.fleet = settings(config, properties);
        this.leases = open(fleet, store, properties);
    }

    private PostgresResource<PostgresClientLeases> open(FleetSettings f, PostgresReceivedEventStoreComponent.Config store,
            Map<String, Object> properties) {
        String node = f.node() + "/" + HexFormat.of().toHexDigits(random.nextInt());
        return new PostgresResource<>(dataSourceFactory, transactionControl, providerFactory,
                PostgresClientLeases.KIND, store, properties,
                (sql, settings) -> PostgresClientLeases.open(sql, settings.databaseName(), node, f.renewInterval(),
                        f.leaseDuration()),
                PostgresClientLeases::close);
    }

    /**
     * @throws IllegalArgumentException one line naming the PID, the property, the value and why
     */
    static FleetSettings settings(Config config, Map<String, ?> properties) {
        try {
            ConfigurationCheck.requireReadable(Config.class, config, properties);
            String node = config.node() == null ? "" : config.node().trim();
            if (node.isEmpty()) {
                node = hostName();
            } else if (!NODE.matcher(node).matches()) {
                throw new IllegalArgumentException("node must be 1 to 100 letters, digits, '.', '_', ':' or '-', got '"
                        + Printable.text(node) + "'");
            }
            long renew = config.renewMillis();
            if (renew < 100 || renew > 60_000) {
                throw new IllegalArgumentException("renewMillis must be between 100 and 60000, got " + renew);
            }
            int lease = config.leaseSeconds();
            if (lease < 1 || lease > 3600) {
                throw new IllegalArgumentException("leaseSeconds must be between 1 and 3600, got " + lease);
            }
            if (lease * 1000L < 2 * renew) {
                throw new IllegalArgumentException("leaseSeconds must last at least two renewMillis ("
                        + 2 * renew + " ms), got " + lease);
            }
            return new FleetSettings(node, Duration.ofMillis(renew), Duration.ofSeconds(lease));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("configuration " + PID + ": " + e.getMessage(), e);
        }
    }

    private static String hostName() {
        try {
            String name = InetAddress.getLocalHost().getHostName();
            return NODE.matcher(name).matches() ? name : "node";
        } catch (UnknownHostException e) {
            return "node";
        }
    }

    @Modified
    void modified(PostgresReceivedEventStoreComponent.Config store, Config config, Map<String, Object> properties) {
        FleetSettings next;
        try {
            next = settings(config, properties);
        } catch (IllegalArgumentException e) {
            LOG.error("{}; the {} keep running with their previous configuration", e.getMessage(), leases.describe());
            return;
        }
        if (next.equals(fleet)) {
            leases.reconfigure(store, properties);
            return;
        }
        PostgresResource<PostgresClientLeases> previous = leases;
        try {
            leases = open(next, store, properties);
        } catch (RuntimeException e) {
            LOG.error("{}; the {} keep running with their previous configuration", e.getMessage(), previous.describe());
            return;
        }
        fleet = next;
        previous.close();
    }

    @Deactivate
    void deactivate() {
        leases.close();
    }

    @Override
    public Lease acquire(String clientId, Consumer<String> lost) throws Exception {
        return leases.get().acquire(clientId, lost);
    }

    @Override
    public String toString() {
        return leases.describe();
    }
}
