package io.sink.transport.internal.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PeerRegistryTest {
    /** A connection handle; equal by value, so the tests can tell identity from equality. */
    record Conn(String name) {
    }

    @Test
    void firstConnectionReplacesNothing() {
        PeerRegistry<Conn> registry = new PeerRegistry<>();
        Conn a = new Conn("a");
        assertThat(registry.register("client-1", a)).isEmpty();
        assertThat(registry.get("client-1")).containsSame(a);
        assertThat(registry.isLive("client-1", a)).isTrue();
        assertThat(registry.size()).isEqualTo(1);
    }

    @Test
    void newConnectionReplacesTheOlderWhichIsReturnedToClose() {
        PeerRegistry<Conn> registry = new PeerRegistry<>();
        Conn older = new Conn("older");
        Conn newer = new Conn("newer");
        registry.register("client-1", older);
        assertThat(registry.register("client-1", newer)).containsSame(older);
        assertThat(registry.get("client-1")).containsSame(newer);
        assertThat(registry.isLive("client-1", older)).isFalse();
    }

    @Test
    void olderConnectionClosingDoesNotRemoveTheNewer() {
        PeerRegistry<Conn> registry = new PeerRegistry<>();
        Conn older = new Conn("older");
        Conn newer = new Conn("newer");
        registry.register("client-1", older);
        registry.register("client-1", newer);
        assertThat(registry.remove("client-1", older)).isFalse();
        assertThat(registry.get("client-1")).containsSame(newer);
        assertThat(registry.remove("client-1", newer)).isTrue();
        assertThat(registry.get("client-1")).isEmpty();
        assertThat(registry.remove("client-1", newer)).isFalse();
    }

    @Test
    void handlesAreComparedByIdentityNotEquality() {
        PeerRegistry<Conn> registry = new PeerRegistry<>();
        Conn first = new Conn("same");
        Conn second = new Conn("same");
        assertThat(first).isEqualTo(second);
        registry.register("client-1", first);
        assertThat(registry.register("client-1", second)).containsSame(first);
        assertThat(registry.remove("client-1", first)).as("an equal but older connection").isFalse();
        assertThat(registry.isLive("client-1", first)).isFalse();
        assertThat(registry.get("client-1")).containsSame(second);
    }

    @Test
    void registeringTheSameHandleAgainReplacesNothing() {
        PeerRegistry<Conn> registry = new PeerRegistry<>();
        Conn a = new Conn("a");
        registry.register("client-1", a);
        assertThat(registry.register("client-1", a)).isEmpty();
        assertThat(registry.get("client-1")).containsSame(a);
    }

    @Test
    void clientsAreSeparate() {
        PeerRegistry<Conn> registry = new PeerRegistry<>();
        Conn a = new Conn("a");
        Conn b = new Conn("b");
        registry.register("client-1", a);
        assertThat(registry.register("client-2", b)).isEmpty();
        assertThat(registry.remove("client-2", a)).isFalse();
        assertThat(registry.snapshot()).containsOnly(Map.entry("client-1", a), Map.entry("client-2", b));
    }

    @Test
    void snapshotIsACopy() {
        PeerRegistry<Conn> registry = new PeerRegistry<>();
        registry.register("client-1", new Conn("a"));
        Map<String, Conn> snapshot = registry.snapshot();
        registry.register("client-2", new Conn("b"));
        assertThat(snapshot).containsOnlyKeys("client-1");
        assertThatThrownBy(() -> snapshot.clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void rejectsNulls() {
        PeerRegistry<Conn> registry = new PeerRegistry<>();
        assertThatThrownBy(() -> registry.register(null, new Conn("a"))).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> registry.register("c", null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> registry.remove("c", null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> registry.get(null)).isInstanceOf(NullPointerException.class);
        assertThat(registry.isLive("c", null)).isFalse();
    }

    /**
     * Many connections of one client registering at once: each replaced connection is handed out
     * to be closed exactly once, and the one left live is the one nobody replaced.
     */
    @Test
    void concurrentRegistrationsHandOutEachReplacedConnectionExactlyOnce() throws Exception {
        PeerRegistry<Conn> registry = new PeerRegistry<>();
        int threads = 4;
        int perThread = 5_000;
        List<List<Conn>> mine = new ArrayList<>();
        List<List<Conn>> replaced = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<Conn> handles = new ArrayList<>();
            for (int i = 0; i < perThread; i++) {
                handles.add(new Conn("same")); // all equal: only identity tells them apart
            }
            mine.add(handles);
            replaced.add(new ArrayList<>());
        }
        runConcurrently(threads, t -> {
            for (Conn handle : mine.get(t)) {
                registry.register("client-1", handle).ifPresent(replaced.get(t)::add);
            }
        });
        Set<Conn> handedOut = Collections.newSetFromMap(new IdentityHashMap<>());
        int count = 0;
        for (List<Conn> list : replaced) {
            handedOut.addAll(list);
            count += list.size();
        }
        Conn live = registry.get("client-1").orElseThrow();
        assertThat(count).as("handed out").isEqualTo(threads * perThread - 1);
        assertThat(handedOut).as("no handle handed out twice").hasSize(count);
        assertThat(handedOut.contains(live)).as("the live one is not handed out").isFalse();
    }

    /**
     * Connections of one client each registering and then closing (removing itself): an old one
     * closing never removes a newer one, so once all have closed, none is left and no removal
     * failed while its own connection was still live.
     */
    @Test
    void concurrentRegisterAndCloseLeavesNothingBehind() throws Exception {
        PeerRegistry<Conn> registry = new PeerRegistry<>();
        int threads = 4;
        int perThread = 10_000;
        List<Set<String>> problems = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            problems.add(new HashSet<>());
        }
        runConcurrently(threads, t -> {
            for (int i = 0; i < perThread; i++) {
                Conn handle = new Conn("c");
                Optional<Conn> previous = registry.register("client-" + (i % 2), handle);
                if (previous.isPresent() && previous.get() == handle) {
                    problems.get(t).add("registry handed back the new handle");
                }
                boolean wasLive = registry.isLive("client-" + (i % 2), handle);
                boolean removed = registry.remove("client-" + (i % 2), handle);
                if (removed && registry.isLive("client-" + (i % 2), handle)) {
                    problems.get(t).add("removed handle still live");
                }
                if (!wasLive && removed) {
                    problems.get(t).add("removed a handle that had been replaced");
                }
            }
        });
        for (Set<String> p : problems) {
            assertThat(p).isEmpty();
        }
        assertThat(registry.size()).isZero();
    }

    interface ThreadBody {
        void run(int thread) throws Exception;
    }

    private static void runConcurrently(int threads, ThreadBody body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    body.run(thread);
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : futures) {
                future.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }
}
