package io.sink.server.store.postgres.internal;

import io.sink.api.server.ClientLeases;
import io.sink.api.text.Printable;
import io.sink.sqlite.SqlExecutor;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet's leases in PostgreSQL: one row per running node in {@code fleet_nodes} with an expiry (its
 * heartbeat), and one row per connected client in {@code fleet_leases} naming the node that holds its
 * live connection; a lease is live while its node's heartbeat is. The newest connection wins, as on one
 * node: {@link #acquire} always takes the row over (a dead node never delays a reconnect). Every
 * {@code renew} interval this node pushes its heartbeat on (one row, whatever the number of its
 * connections), learns from its lease rows which of its connections a newer one elsewhere replaced, and
 * from the registry rows which of its clients were quarantined through another node: those connections
 * are closed (the {@code lost} callbacks), within one interval.
 *
 * <p>A node that dies (SIGKILL) stops renewing: its heartbeat expires after {@code leaseDuration}, and
 * the next node that renews deletes it with its leases. A node that cannot reach the database for longer
 * than a lease lasts closes its connections (it can no longer tell whether another node took them over).
 */
public final class PostgresClientLeases implements ClientLeases, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresClientLeases.class);
    static final String KIND = "fleet leases";
    static final String QUARANTINED = "quarantined by the operator";

    /** A lease this node holds. {@code seq} orders local acquisitions against a renewal. */
    private final class Held implements Lease {
        final String clientId;
        final long lease;
        final long seq;
        final Consumer<String> lost;
        final AtomicBoolean done = new AtomicBoolean();

        Held(String clientId, long lease, long seq, Consumer<String> lost) {
            this.clientId = clientId;
            this.lease = lease;
            this.seq = seq;
            this.lost = lost;
        }

        void lose(String reason) {
            if (done.compareAndSet(false, true)) {
                held.remove(clientId, this);
                LOG.info("{}: closing the connection of client {}: {}", description, Printable.text(clientId), reason);
                try {
                    lost.accept(reason);
                } catch (RuntimeException e) {
                    LOG.warn("{}: closing the connection of client {} failed", description, Printable.text(clientId), e);
                }
                delete(false);
            }
        }

        @Override
        public void release() {
            if (done.compareAndSet(false, true)) {
                held.remove(clientId, this);
                delete(true);
            }
        }

        /** Deletes the row if it is still this lease's; left alone, it expires. */
        private void delete(boolean warn) {
            try {
                sql.write(c -> {
                    try (PreparedStatement ps = c.prepareStatement(
                            "DELETE FROM fleet_leases WHERE client_id = ? AND lease = ?")) {
                        ps.setString(1, clientId);
                        ps.setLong(2, lease);
                        return ps.executeUpdate();
                    }
                });
            } catch (SQLException | RuntimeException e) {
                if (warn) {
                    LOG.warn("{}: releasing the lease of client {} failed (it expires in {} s): {}", description,
                            Printable.text(clientId), leaseDuration.toSeconds(), e.getMessage());
                }
            }
        }
    }

    private final SqlExecutor sql;
    private final String node;
    private final String description;
    private final Duration renewInterval;
    private final Duration leaseDuration;
    private final ConcurrentMap<String, Held> held = new ConcurrentHashMap<>();
    private final AtomicLong seq = new AtomicLong();
    private final ScheduledExecutorService renewer;
    /** When the last renewal succeeded (System.nanoTime()). */
    private volatile long renewedAt;
    private volatile boolean renewFailing;

    private PostgresClientLeases(SqlExecutor sql, String node, String description, Duration renewInterval,
            Duration leaseDuration) {
        this.sql = sql;
        this.node = node;
        this.description = description;
        this.renewInterval = renewInterval;
        this.leaseDuration = leaseDuration;
        this.renewedAt = System.nanoTime();
        this.renewer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sink-fleet-leases");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Migrates the fleet's table (and the registry's, whose quarantines it reads) and starts renewing.
     *
     * @param node this node's name in the lease rows: unique among the nodes (a restarted node should get
     *             a new one, so that rows of its previous life are not taken for its own)
     * @throws IllegalStateException naming the database when it cannot be opened
     */
    public static PostgresClientLeases open(SqlExecutor sql, String databaseName, String node, Duration renewInterval,
            Duration leaseDuration) {
        Objects.requireNonNull(sql, "sql");
        Objects.requireNonNull(node, "node");
        if (renewInterval.isNegative() || renewInterval.isZero() || leaseDuration.compareTo(renewInterval.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("the lease (" + leaseDuration + ") must last at least two renewal"
                    + " intervals (" + renewInterval + ")");
        }
        String description = KIND + " " + databaseName + " (node " + Printable.text(node) + ")";
        PostgresClientLeases leases = new PostgresClientLeases(sql, node, description, renewInterval, leaseDuration);
        try {
            sql.write(c -> {
                RegistrySchema.RUNNER.migrate(c, databaseName);
                FleetSchema.RUNNER.migrate(c, databaseName);
                leases.heartbeat(c); // the node's row exists before its first lease
                return null;
            });
        } catch (SQLException | RuntimeException e) {
            leases.renewer.shutdownNow();
            throw new IllegalStateException("cannot open the " + description + ": " + e.getMessage(), e);
        }
        long millis = renewInterval.toMillis();
        leases.renewer.scheduleWithFixedDelay(leases::renew, millis, millis, TimeUnit.MILLISECONDS);
        LOG.info("{} open: renewed every {} ms, expiring after {} s", description, millis, leaseDuration.toSeconds());
        return leases;
    }

    String node() {
        return node;
    }

    @Override
    public Lease acquire(String clientId, Consumer<String> lost) throws SQLException {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(lost, "lost");
        record Taken(long lease, String previous, boolean previousLive) {
        }
        Taken taken = sql.write(c -> {
            String previous = null;
            boolean live = false;
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT l.node, coalesce(n.expires_at > now(), false) FROM fleet_leases l
                    LEFT JOIN fleet_nodes n USING (node) WHERE l.client_id = ? FOR UPDATE OF l""")) {
                ps.setString(1, clientId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        previous = rs.getString(1);
                        live = rs.getBoolean(2);
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO fleet_leases (client_id, node, lease, acquired_at)
                    VALUES (?, ?, nextval('fleet_lease_ids'), now())
                    ON CONFLICT (client_id) DO UPDATE SET node = EXCLUDED.node, lease = EXCLUDED.lease,
                        acquired_at = EXCLUDED.acquired_at
                    RETURNING lease""")) {
                ps.setString(1, clientId);
                ps.setString(2, node);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new Taken(rs.getLong(1), previous, live);
                }
            }
        });
        Held h = new Held(clientId, taken.lease(), seq.incrementAndGet(), lost);
        // a newer connection of the client on this node replaces the older one here: the transport closes it
        held.put(clientId, h);
        if (taken.previous() != null && !taken.previous().equals(node)) {
            LOG.info("{}: took over the lease of client {} from node {} ({})", description, Printable.text(clientId),
                    Printable.text(taken.previous()), taken.previousLive() ? "live: it closes its connection"
                            : "expired");
        }
        return h;
    }

    /**
     * The node holding the client's live lease now, empty when none does (never taken, released, or
     * expired because its node died).
     */
    public Optional<String> holder(String clientId) {
        try {
            return sql.read(c -> {
                try (PreparedStatement ps = c.prepareStatement("""
                        SELECT node FROM fleet_leases JOIN fleet_nodes USING (node)
                        WHERE client_id = ? AND expires_at > now()""")) {
                    ps.setString(1, clientId);
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                    }
                }
            });
        } catch (SQLException e) {
            throw new IllegalStateException(description + ": reading the lease of " + clientId + " failed: "
                    + e.getMessage(), e);
        }
    }

    /** Leases this node holds now (for status and tests). */
    public int held() {
        return held.size();
    }

    /** One renewal: extend ours, close what we lost, delete what expired. Runs on the renewer thread. */
    void renew() {
        long before = seq.get();
        List<Held> renewing = new ArrayList<>();
        for (Held h : held.values()) {
            if (h.seq <= before) {
                renewing.add(h);
            }
        }
        Long[] leases = renewing.stream().map(h -> h.lease).toArray(Long[]::new);
        try {
            record Renewed(Map<String, Long> ours, Map<String, String> holders, List<String> quarantined) {
            }
            Renewed r = sql.write(c -> {
                heartbeat(c);
                Map<String, Long> ours = new HashMap<>();
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT client_id, lease FROM fleet_leases WHERE node = ? AND lease = ANY (?)")) {
                    ps.setString(1, node);
                    ps.setArray(2, c.createArrayOf("bigint", leases));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            ours.put(rs.getString(1), rs.getLong(2));
                        }
                    }
                }
                List<String> lostIds = new ArrayList<>();
                for (Held h : renewing) {
                    if (!Objects.equals(ours.get(h.clientId), h.lease)) {
                        lostIds.add(h.clientId);
                    }
                }
                Map<String, String> holders = new HashMap<>();
                if (!lostIds.isEmpty()) {
                    try (PreparedStatement ps = c.prepareStatement(
                            "SELECT client_id, node FROM fleet_leases WHERE client_id = ANY (?)")) {
                        ps.setArray(1, c.createArrayOf("text", lostIds.toArray()));
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                holders.put(rs.getString(1), rs.getString(2));
                            }
                        }
                    }
                }
                List<String> quarantined = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("""
                        SELECT l.client_id FROM fleet_leases l JOIN registry_clients r USING (client_id)
                        WHERE l.node = ? AND r.quarantine_machine IS NOT NULL""")) {
                    ps.setString(1, node);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            quarantined.add(rs.getString(1));
                        }
                    }
                }
                deleteDeadNodes(c);
                return new Renewed(ours, holders, quarantined);
            });
            renewedAt = System.nanoTime();
            if (renewFailing) {
                renewFailing = false;
                LOG.info("{}: renewing works again", description);
            }
            for (Held h : renewing) {
                if (!Objects.equals(r.ours().get(h.clientId), h.lease)) {
                    String other = r.holders().get(h.clientId);
                    h.lose(other == null || other.equals(node) ? "the fleet lease of the client is gone"
                            : "replaced by a new connection of the same client on server node " + Printable.text(other));
                }
            }
            for (String id : r.quarantined()) {
                Held h = held.get(id);
                if (h != null) {
                    h.lose(QUARANTINED);
                }
            }
        } catch (SQLException | RuntimeException e) {
            long since = System.nanoTime() - renewedAt;
            if (!renewFailing) {
                renewFailing = true;
                LOG.warn("{}: renewing the leases failed (retrying every {} ms): {}", description,
                        renewInterval.toMillis(), e.getMessage());
            }
            if (since >= leaseDuration.toNanos() && !held.isEmpty()) {
                LOG.error("{}: the leases could not be renewed for {} s; closing this node's {} connection(s)",
                        description, TimeUnit.NANOSECONDS.toSeconds(since), held.size());
                for (Held h : held.values()) {
                    h.lose("the fleet lease could not be renewed (database unreachable)");
                }
            }
        }
    }

    /** Pushes this node's heartbeat on (creates its row at the first call). */
    private void heartbeat(java.sql.Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO fleet_nodes (node, started_at, expires_at) VALUES (?, now(), now() + make_interval(secs => ?))
                ON CONFLICT (node) DO UPDATE SET expires_at = EXCLUDED.expires_at""")) {
            ps.setString(1, node);
            ps.setDouble(2, leaseDuration.toMillis() / 1000.0);
            ps.executeUpdate();
        }
    }

    /** Deletes the nodes whose heartbeat expired (killed, or cut off), with their leases. */
    private void deleteDeadNodes(java.sql.Connection c) throws SQLException {
        List<String> dead = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "DELETE FROM fleet_nodes WHERE expires_at < now() RETURNING node")) {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    dead.add(rs.getString(1));
                }
            }
        }
        for (String gone : dead) {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM fleet_leases WHERE node = ?")) {
                ps.setString(1, gone);
                int deleted = ps.executeUpdate();
                LOG.info("{}: node {} stopped renewing; deleted its {} lease(s)", description, Printable.text(gone),
                        deleted);
            }
        }
    }

    /**
     * Stops renewing and gives up this node's leases; the connections still holding one are closed
     * (without leases, a newer connection on another node could no longer replace them).
     */
    @Override
    public void close() {
        renewer.shutdownNow();
        try {
            renewer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Held h : held.values()) {
            h.lose("the fleet leases stopped on this node");
        }
        try {
            sql.write(c -> {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM fleet_leases WHERE node = ?")) {
                    ps.setString(1, node);
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM fleet_nodes WHERE node = ?")) {
                    ps.setString(1, node);
                    return ps.executeUpdate();
                }
            });
        } catch (SQLException | RuntimeException e) {
            LOG.warn("{}: giving the leases up failed (they expire in {}): {}", description, leaseDuration,
                    e.getMessage());
        }
    }

    /** Stops renewing without giving anything up, as a killed node does (tests). */
    void crash() {
        renewer.shutdownNow();
    }

    @Override
    public String toString() {
        return description;
    }
}
