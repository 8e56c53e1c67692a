package io.sink.store.sqlite.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.sink.api.client.GroundEventLog.LoggedEvent;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The child process of {@link CrashTest}: appends events from several threads and acknowledges
 * them from another, forever, and reports each write on stdout only after its call returned
 * (so after its commit). The test kills it with SIGKILL at some point.
 *
 * <p>Arguments: database path, number of appending threads.
 */
public final class CrashChild {
    private CrashChild() {
    }

    public static void main(String[] args) {
        Path db = Path.of(args[0]);
        int threads = Integer.parseInt(args[1]);
        StoreSettings settings = StoreSettings.builder(db).retentionMaxAge(Duration.ZERO).retentionMaxCount(0)
                .build();
        SqliteEventLog log = SqliteEventLog.open(TestStores.executor(settings), settings, Clock.systemUTC(),
                new SecureRandom());
        PrintStream out = System.out;
        for (int t = 0; t < threads; t++) {
            String key = "sensor-" + t % 3;
            Thread appender = new Thread(() -> {
                for (long i = 0; ; i++) {
                    LoggedEvent e = log.appendNext(1, 1, key.getBytes(UTF_8), i, ("reading " + i).getBytes(UTF_8));
                    report(out, "APPENDED " + key + " " + e.event().offset() + " " + e.sequence());
                }
            }, "appender-" + t);
            appender.start();
        }
        long after = 0;
        while (true) {
            List<LoggedEvent> batch = log.unacknowledged(Set.of(), Set.of(), after, 7);
            if (batch.isEmpty()) {
                Thread.onSpinWait();
                continue;
            }
            after = batch.get(batch.size() - 1).sequence();
            log.acknowledge(batch.stream().map(e -> e.event().ackKey()).toList());
            for (LoggedEvent e : batch) {
                report(out, "ACKED " + e.event().keyAsString() + " " + e.event().offset() + " " + e.sequence());
            }
        }
    }

    private static void report(PrintStream out, String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }
}
