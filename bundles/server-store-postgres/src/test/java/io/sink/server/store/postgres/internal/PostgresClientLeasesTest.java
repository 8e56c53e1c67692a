package io.sink.server.store.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.sink.api.InstanceId;
import io.sink.api.Nack;
import io.sink.api.server.ClientLeases;
import io.sink.server.auth.storage.StoredClient;
import io.sink.server.store.postgres.PostgresServer;
import io.sink.sqlite.AriesFixture;
import io.sink.sqlite.AriesSqlitePools;
import io.sink.testsupport.Await;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.osgi.PGDataSourceFactory;

/**
 * The fleet-wide duplicate-connection rule on a real PostgreSQL server: two (or three) lease instances on
 * one database are two server nodes. The newest connection wins, the node that held the client learns it
 * at its next renewal and closes its connection; a killed node's leases expire; a quarantine written
 * through one node closes the connection on another.
 */
class PostgresClientLeasesTest {
    @RegisterExtension
    static final PostgresServer.PerClass PG = new PostgresServer.PerClass();
    static final AriesFixture aries = new AriesFixture(new PGDataSourceFactory());
    static final Duration RENEW = Duration.ofMillis(200);
    static final Duration LEASE = Duration.ofSeconds(2);

    PostgresServer pg;
    String database;
    final List<AriesSqlitePools> pools = new ArrayList<>();
    final List<PostgresClientLeases> nodes = new ArrayList<>();
    /** What each (node, client) connection was told when it lost its lease. */
    final Map<String, List<String>> lost = new ConcurrentHashMap<>();

    @AfterAll
    static void closeAries() {
        aries.close();
    }

    @BeforeEach
    void database() {
        pg = PG.server();
        database = pg.createDatabase();
    }

    @AfterEach
    void closeNodes() {
        nodes.forEach(PostgresClientLeases::close);
        pools.forEach(AriesSqlitePools::close);
    }

    private AriesSqlitePools pools() {
        AriesSqlitePools p = TestPools.open(aries, TestPools.settings(pg, database, 100));
        pools.add(p);
        return p;
    }

    private PostgresClientLeases node(String name) {
        PostgresClientLeases node = PostgresClientLeases.open(pools().executor(), database, name, RENEW, LEASE);
        nodes.add(node);
        return node;
    }

    /** A connection of {@code clientId} accepted by {@code node}: takes the lease, records what it is told. */
    private ClientLeases.Lease connect(PostgresClientLeases node, String clientId, String connection) throws Exception {
        return node.acquire(clientId, reason -> lost.computeIfAbsent(connection, k -> new CopyOnWriteArrayList<>())
                .add(reason));
    }

    /** None of these connections is told to close during three renewals. */
    private void staysOpen(String... connections) {
        assertThat(Await.holds(RENEW.multipliedBy(3), () -> List.of(connections).stream().anyMatch(c -> lost.containsKey(c))))
                .as("one of %s was closed", List.of(connections)).isFalse();
    }

    private List<String> lostBy(String connection) {
        return lost.getOrDefault(connection, List.of());
    }

    @Test
    void theNewestConnectionWinsAcrossNodesAndTheOtherNodeClosesItsOwn() throws Exception {
        PostgresClientLeases a = node("a");
        PostgresClientLeases b = node("b");
        connect(a, "alice", "a1");
        connect(a, "bob", "a-bob");
        assertThat(b.holder("alice")).contains("a");

        ClientLeases.Lease onB = connect(b, "alice", "b1");
        assertThat(a.holder("alice")).contains("b");
        Await.until("node a closes its connection of alice", Duration.ofSeconds(10), () -> !lostBy("a1").isEmpty());
        assertThat(lostBy("a1")).containsExactly("replaced by a new connection of the same client on server node b");
        assertThat(a.held()).isEqualTo(1); // bob

        // a's closing connection releases its lease: that does not take b's lease away
        Await.until("a few renewals pass", Duration.ofSeconds(10), () -> a.held() == 1 && b.held() == 1);
        staysOpen("b1", "a-bob"); // a window in which a wrong release or renewal would show
        assertThat(b.holder("alice")).contains("b");

        // and back: the client returns to a, b closes
        connect(a, "alice", "a2");
        Await.until("node b closes its connection of alice", Duration.ofSeconds(10), () -> !lostBy("b1").isEmpty());
        assertThat(lostBy("b1")).containsExactly("replaced by a new connection of the same client on server node a");
        onB.release(); // the transport releases the closed connection's lease
        assertThat(b.holder("alice")).contains("a");
        assertThat(lostBy("a2")).isEmpty();
    }

    @Test
    void aNewerConnectionOnTheSameNodeIsLeftToTheTransportAndTheOlderReleaseKeepsTheNewerLease() throws Exception {
        PostgresClientLeases a = node("a");
        PostgresClientLeases b = node("b");
        ClientLeases.Lease first = connect(a, "alice", "a1");
        connect(a, "alice", "a2");
        first.release(); // the transport closed the older one
        staysOpen("a1", "a2");
        assertThat(b.holder("alice")).contains("a");
        assertThat(a.held()).isEqualTo(1);
    }

    @Test
    void aReleasedLeaseIsGoneAndTheNextConnectionAnywhereTakesIt() throws Exception {
        PostgresClientLeases a = node("a");
        PostgresClientLeases b = node("b");
        ClientLeases.Lease lease = connect(a, "alice", "a1");
        lease.release();
        lease.release(); // twice: nothing more
        assertThat(b.holder("alice")).isEmpty();
        assertThat(a.held()).isZero();
        connect(b, "alice", "b1");
        assertThat(a.holder("alice")).contains("b");
        staysOpen("a1", "b1");
    }

    @Test
    void aKilledNodesLeasesExpireAndNeverDelayAReconnectElsewhere() throws Exception {
        PostgresClientLeases a = node("a");
        PostgresClientLeases b = node("b");
        connect(a, "alice", "a1");
        connect(a, "bob", "a-bob");
        a.crash(); // SIGKILL: no release, no renewal
        Instant killed = Instant.now();

        // alice reconnects to b at once: taken over without waiting for the expiry
        connect(b, "alice", "b1");
        assertThat(b.holder("alice")).contains("b");
        // bob does not come back: its lease expires after the lease duration, and b deletes the row
        assertThat(b.holder("bob")).contains("a");
        Await.until("a's lease of bob expires", Duration.ofSeconds(10), () -> b.holder("bob").isEmpty());
        assertThat(Duration.between(killed, Instant.now())).isGreaterThanOrEqualTo(LEASE.minusMillis(500));
        Await.until("b deletes the expired row", Duration.ofSeconds(10), () -> rows("node = 'a'") == 0);
        assertThat(rows("client_id = 'alice'")).isEqualTo(1);
        assertThat(lostBy("b1")).isEmpty();
    }

    @Test
    void aQuarantineWrittenThroughOneNodeClosesTheConnectionOnAnother() throws Exception {
        PostgresClientLeases a = node("a");
        node("b");
        PostgresRegistryStorage registryOfB = PostgresRegistryStorage.open(pools().executor(), database,
                new SecureRandom());
        connect(a, "alice", "a1");
        connect(a, "bob", "a-bob");
        registryOfB.put(StoredClient.empty("alice").withInstanceId(new InstanceId(7), Instant.now())
                .withQuarantine(Nack.of("stolen", "reported stolen"), Instant.now()));
        Await.until("node a closes alice's connection", Duration.ofSeconds(10), () -> !lostBy("a1").isEmpty());
        assertThat(lostBy("a1")).containsExactly(PostgresClientLeases.QUARANTINED);
        // the connection is told first, then its lease row is deleted
        Await.until("alice's lease row deleted", Duration.ofSeconds(10), () -> a.holder("alice").isEmpty());
        staysOpen("a-bob");
        assertThat(lostBy("a1")).hasSize(1); // once
    }

    @Test
    void closingANodeGivesItsLeasesUpAndClosesItsConnections() throws Exception {
        PostgresClientLeases a = node("a");
        PostgresClientLeases b = node("b");
        connect(a, "alice", "a1");
        nodes.remove(a);
        a.close();
        assertThat(lostBy("a1")).containsExactly("the fleet leases stopped on this node");
        assertThat(b.holder("alice")).isEmpty();
        assertThat(rows("true")).isZero();
    }

    @Test
    void manyNodesTakingOneClientAtOnceLeaveOneHolderAndCloseTheOthers() throws Exception {
        List<PostgresClientLeases> fleet = List.of(node("n0"), node("n1"), node("n2"));
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < fleet.size(); i++) {
            PostgresClientLeases n = fleet.get(i);
            String connection = "c" + i;
            Thread t = new Thread(() -> {
                try {
                    connect(n, "alice", connection);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join(30_000);
        }
        Optional<String> winner = fleet.get(0).holder("alice");
        assertThat(winner).isPresent();
        Await.until("the two losers close their connections", Duration.ofSeconds(10), () -> lost.size() == 2);
        int w = Integer.parseInt(winner.get().substring(1));
        assertThat(lostBy("c" + w)).isEmpty();
        assertThat(fleet.stream().mapToInt(PostgresClientLeases::held).sum()).isEqualTo(1);
    }

    @Test
    void theSchemaIsVersioned() throws Exception {
        node("a");
        try (Connection c = pg.connect(database); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT version FROM schema_version WHERE component = 'fleet'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(FleetSchema.RUNNER.currentVersion());
        }
    }

    private long rows(String where) {
        try (Connection c = pg.connect(database); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM fleet_leases WHERE " + where)) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
