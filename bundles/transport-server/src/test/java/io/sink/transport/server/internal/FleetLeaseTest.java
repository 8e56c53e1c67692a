package io.sink.transport.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.sink.api.server.ClientLeases;
import io.sink.testsupport.Await;
import io.sink.transport.client.internal.SinkClientEngine;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The transport's side of the fleet-wide duplicate-connection rule: an accepted connection takes its
 * client's lease, gives it back when it ends, and is closed when the lease is lost (a newer connection on
 * another node took it). The leases themselves are in-memory here; on PostgreSQL they are tested by
 * {@code PostgresClientLeasesTest} (bundle server-store-postgres).
 */
class FleetLeaseTest extends ServerTestBase {

    /** Leases in memory: records who took and gave back what; may be told to fail. */
    static final class Leases implements ClientLeases {
        final List<String> taken = new CopyOnWriteArrayList<>();
        final List<Consumer<String>> lostCallbacks = new CopyOnWriteArrayList<>();
        final AtomicInteger released = new AtomicInteger();
        volatile boolean failing;

        @Override
        public Lease acquire(String clientId, Consumer<String> lost) throws Exception {
            if (failing) {
                throw new java.sql.SQLException("the database is unreachable");
            }
            taken.add(clientId);
            lostCallbacks.add(lost);
            AtomicInteger once = new AtomicInteger();
            return () -> {
                if (once.getAndIncrement() == 0) {
                    released.incrementAndGet();
                }
            };
        }
    }

    final Leases leases = new Leases();

    @BeforeEach
    void startServer() throws Exception {
        server = startServer(Fixtures.serverSettings());
        server.leases(() -> leases);
    }

    private SinkClientEngine slowToReconnect() throws Exception {
        return client("example-client", new Fixtures.Client(24),
                Fixtures.clientSettings(port).withReconnect(List.of(Duration.ofSeconds(30)), Duration.ofSeconds(30)));
    }

    @Test
    void aConnectionTakesItsClientsLeaseAndGivesItBackWhenItEnds() throws Exception {
        SinkClientEngine client = slowToReconnect();
        Await.until("connected", client::connected);
        assertThat(leases.taken).containsExactly("example-client");
        assertThat(leases.released).hasValue(0);
        client.stop();
        Await.until("the lease is given back", () -> leases.released.get() == 1);
    }

    @Test
    void aLostLeaseClosesTheConnectionWithTheReason() throws Exception {
        SinkClientEngine client = slowToReconnect();
        Await.until("connected", client::connected);
        leases.lostCallbacks.get(0).accept("replaced by a new connection of the same client on server node b");
        Await.until("the connection is closed", () -> !server.connected("example-client"));
        Await.until("the client noticed", () -> !client.connected());
        assertThat(handler.downs).containsExactly(
                "example-client: replaced by a new connection of the same client on server node b");
        Await.until("the lease is given back", () -> leases.released.get() == 1);
    }

    @Test
    void aLeaseThatCannotBeTakenRefusesTheConnectionUntilItCan() throws Exception {
        leases.failing = true;
        SinkClientEngine client = client("example-client", new Fixtures.Client(24),
                Fixtures.clientSettings(port).withReconnect(List.of(Duration.ofMillis(200)), Duration.ofMillis(200)));
        assertThat(Await.holds(Duration.ofSeconds(1), client::connected)).isFalse();
        assertThat(handler.ups).isEmpty();
        leases.failing = false;
        Await.until("connected once the lease can be taken", Duration.ofSeconds(20), client::connected);
        assertThat(leases.taken).containsExactly("example-client");
    }

    @Test
    void withoutLeasesNothingIsTaken() throws Exception {
        server.leases(() -> null);
        SinkClientEngine client = slowToReconnect();
        Await.until("connected", client::connected);
        assertThat(leases.taken).isEmpty();
    }

    @Test
    void leasesThatComeAfterAClientConnectedAreTakenForItOnceAndRuleItsConnection() throws Exception {
        AtomicReference<ClientLeases> arrived = new AtomicReference<>();
        server.leases(arrived::get);
        SinkClientEngine client = slowToReconnect();
        Await.until("connected", client::connected);
        Await.until("connected on the server", () -> server.connected("example-client"));
        server.leasesChanged(); // none yet: nothing happens
        assertThat(leases.taken).isEmpty();

        arrived.set(leases);
        server.leasesChanged();
        server.leasesChanged(); // told twice, e.g. a service replaced: the client's lease is taken once
        Await.until("the lease is taken for the connected client", () -> leases.taken.size() == 1);
        assertThat(Await.holds(Duration.ofMillis(500), () -> leases.taken.size() > 1)).as("taken twice").isFalse();
        assertThat(client.connected()).isTrue();

        // the lease rules the connection: lost to another node, the connection closes
        leases.lostCallbacks.get(0).accept("replaced by a new connection of the same client on server node b");
        Await.until("the connection is closed", () -> !server.connected("example-client"));
        Await.until("the lease is given back", () -> leases.released.get() == 1);
    }

    @Test
    void aConnectionWhoseLateLeaseCannotBeTakenIsClosedAndItsClientTakesItOnReconnecting() throws Exception {
        AtomicReference<ClientLeases> arrived = new AtomicReference<>();
        server.leases(arrived::get);
        SinkClientEngine client = client("example-client", new Fixtures.Client(24),
                Fixtures.clientSettings(port).withReconnect(List.of(Duration.ofMillis(200)), Duration.ofMillis(200)));
        Await.until("connected on the server", () -> server.connected("example-client"));
        leases.failing = true;
        arrived.set(leases);
        server.leasesChanged();
        Await.until("the connection is closed", () -> handler.downs.stream()
                .anyMatch(d -> d.contains("the fleet lease could not be taken")));
        leases.failing = false;
        Await.until("connected again, with the lease", Duration.ofSeconds(20),
                () -> client.connected() && leases.taken.size() == 1);
    }
}
