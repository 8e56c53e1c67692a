package io.sink.server.auth.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.api.InstanceId;
import io.sink.api.Nack;
import io.sink.server.auth.storage.RegistryStorage;
import io.sink.server.auth.storage.StoredClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link RegistryStorage} contract, for every storage (the files, PostgreSQL): the server's
 * instance id created once and kept, records replaced whole and kept across a reopen, an empty record
 * removing the client, sorted ids, concurrent changes to different clients. A storage's test extends
 * this class and says how to open it; its own tests add what only it can show.
 *
 * <p>Reuse from another module: depend on {@code io.sink:sink-server-auth} with
 * {@code <type>test-jar</type>} and {@code <scope>test</scope>}.
 */
public abstract class RegistryStorageContract {
    protected static final Instant REGISTERED = Instant.parse("2026-01-02T03:04:05.678Z");
    protected static final Instant QUARANTINED = Instant.parse("2026-02-03T04:05:06.789Z");

    protected RegistryStorage storage;

    /** Opens the storage of this test: a fresh one for each test, the same one within a test. */
    protected abstract RegistryStorage open() throws Exception;

    /** Releases a storage made by {@link #open}; by default nothing. */
    protected void close(RegistryStorage storage) throws Exception {
    }

    @BeforeEach
    void openStorage() throws Exception {
        storage = open();
    }

    @AfterEach
    void closeStorage() throws Exception {
        if (storage != null) {
            close(storage);
        }
    }

    protected RegistryStorage reopen() throws Exception {
        close(storage);
        storage = null;
        storage = open();
        return storage;
    }

    protected static StoredClient registered(String clientId, long instanceId) {
        return StoredClient.empty(clientId).withInstanceId(new InstanceId(instanceId), REGISTERED);
    }

    @Test
    void theServerInstanceIdIsCreatedOnceAndKept() throws Exception {
        InstanceId id = storage.serverInstanceId();
        assertThat(storage.serverInstanceId()).isEqualTo(id);
        assertThat(reopen().serverInstanceId()).isEqualTo(id);
    }

    @Test
    void nothingIsRememberedAtFirst() {
        assertThat(storage.get("alice")).isEmpty();
        assertThat(storage.clientIds()).isEmpty();
    }

    @Test
    void aRecordIsKeptWholeAcrossAReopen() throws Exception {
        Nack reason = new Nack(new byte[] {0, (byte) 0xff, 'x'}, "vol\u00e9 \u2014 \ud83d\udd12\nsecond line");
        StoredClient alice = registered("alice", 4_294_967_295L).withQuarantine(reason, QUARANTINED);
        storage.put(alice);
        assertThat(storage.get("alice")).contains(alice);
        assertThat(reopen().get("alice")).contains(alice);
        StoredClient fetched = storage.get("alice").orElseThrow();
        assertThat(fetched.quarantine().orElseThrow().machineMessage()).containsExactly(0, 0xff, 'x');
        assertThat(fetched.registeredAt()).contains(REGISTERED);
        assertThat(fetched.quarantinedAt()).contains(QUARANTINED);
    }

    @Test
    void putReplacesTheWholeRecord() throws Exception {
        storage.put(registered("alice", 7));
        storage.put(storage.get("alice").orElseThrow().withQuarantine(Nack.of("stolen", "reported stolen"),
                QUARANTINED));
        StoredClient both = storage.get("alice").orElseThrow();
        assertThat(both.instanceId()).contains(new InstanceId(7));
        assertThat(both.quarantine()).contains(Nack.of("stolen", "reported stolen"));
        storage.put(both.withoutInstanceId());
        StoredClient quarantinedOnly = reopen().get("alice").orElseThrow();
        assertThat(quarantinedOnly.instanceId()).isEmpty();
        assertThat(quarantinedOnly.registeredAt()).isEmpty();
        assertThat(quarantinedOnly.quarantine()).contains(Nack.of("stolen", "reported stolen"));
        storage.put(quarantinedOnly.withoutQuarantine().withInstanceId(new InstanceId(8), REGISTERED));
        assertThat(storage.get("alice")).contains(registered("alice", 8));
    }

    @Test
    void anEmptyRecordRemovesTheClient() throws Exception {
        storage.put(registered("alice", 7));
        storage.put(registered("bob", 8));
        storage.put(storage.get("alice").orElseThrow().withoutInstanceId());
        assertThat(storage.get("alice")).isEmpty();
        assertThat(storage.clientIds()).containsExactly("bob");
        assertThat(reopen().get("alice")).isEmpty();
        assertThat(storage.clientIds()).containsExactly("bob");
        storage.put(StoredClient.empty("carol")); // nothing to remove: nothing happens
        assertThat(storage.clientIds()).containsExactly("bob");
    }

    @Test
    void clientIdsAreSorted() throws Exception {
        for (String id : List.of("carol", "Alice", "bob", "alice", "a.b-c_d")) {
            storage.put(registered(id, id.length()));
        }
        assertThat(storage.clientIds()).containsExactly("Alice", "a.b-c_d", "alice", "bob", "carol");
        assertThat(reopen().clientIds()).containsExactly("Alice", "a.b-c_d", "alice", "bob", "carol");
        assertThat(storage.get("Alice")).contains(registered("Alice", 5));
    }

    @Test
    void anUnreadableRecordIsNeverWritten() {
        assertThatThrownBy(() -> storage.put(StoredClient.unreadable("alice", "damaged")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(storage.get("alice")).isEmpty();
    }

    @Test
    void differentClientsChangeConcurrently() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> tasks = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                tasks.add(pool.submit(() -> {
                    for (int i = 0; i < 25; i++) {
                        String id = "client-" + thread + "-" + i;
                        storage.put(registered(id, i));
                        storage.put(storage.get(id).orElseThrow().withQuarantine(Nack.of("m", "h"), QUARANTINED));
                    }
                    return null;
                }));
            }
            for (Future<?> task : tasks) {
                task.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(reopen().clientIds()).hasSize(200);
        assertThat(storage.get("client-7-24")).map(StoredClient::quarantine).contains(Optional.of(Nack.of("m", "h")));
    }
}
