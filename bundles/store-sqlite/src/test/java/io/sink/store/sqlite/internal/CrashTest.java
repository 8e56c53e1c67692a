package io.sink.store.sqlite.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.sink.sqlite.TestDb;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durability across a hard kill: a child JVM writes and reports each write after its call returned;
 * it is killed with SIGKILL at a random moment; everything it reported must be in the database,
 * which must be intact, with gapless offsets per key. Three rounds on the same database.
 */
class CrashTest {
    private static final long LINE_TIMEOUT_SECONDS = 60;
    private static final String EOF = "\u0000EOF";

    @TempDir
    Path dir;

    record Reported(String key, long offset, long sequence) {
    }

    @Test
    void everyWriteReportedBeforeAKillIsThereAfterIt() throws Exception {
        Path db = dir.resolve("events.db");
        Random random = new Random();
        Set<Reported> appended = new HashSet<>();
        Set<Reported> acked = new HashSet<>();
        for (int round = 0; round < 3; round++) {
            int killAfter = 50 + random.nextInt(700);
            runAndKill(db, round, killAfter, appended, acked);
            verify(db, appended, acked);
        }
    }

    private void runAndKill(Path db, int round, int killAfter, Set<Reported> appended, Set<Reported> acked)
            throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path stderr = dir.resolve("child-" + round + ".err");
        Process child = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                CrashChild.class.getName(), db.toString(), "4")
                .redirectError(stderr.toFile())
                .start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("IOERROR " + e);
            } finally {
                lines.add(EOF);
            }
        }, "child-stdout");
        pump.setDaemon(true);
        pump.start();
        try {
            int appendedThisRound = 0;
            boolean killed = false;
            while (true) {
                String line = lines.poll(LINE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                if (line == null) {
                    throw new AssertionError("no output from the child for " + LINE_TIMEOUT_SECONDS + " s; stderr: "
                            + Files.readString(stderr));
                }
                if (line.equals(EOF)) {
                    break;
                }
                String[] f = line.split(" ");
                if (f[0].equals("APPENDED")) {
                    appended.add(new Reported(f[1], Long.parseLong(f[2]), Long.parseLong(f[3])));
                    appendedThisRound++;
                } else if (f[0].equals("ACKED")) {
                    acked.add(new Reported(f[1], Long.parseLong(f[2]), Long.parseLong(f[3])));
                } else {
                    throw new AssertionError("unexpected output from the child: " + line + "; stderr: "
                            + Files.readString(stderr));
                }
                if (!killed && appendedThisRound >= killAfter) {
                    // SIGKILL: no shutdown hooks, no close. Through the ProcessHandle, because
                    // Process.destroyForcibly() also closes our end of the pipe, and the lines already
                    // in it were printed after their calls returned: they must be checked too
                    assertThat(child.toHandle().destroyForcibly()).isTrue();
                    killed = true;
                }
            }
            assertThat(killed).as("child ended by itself; stderr: %s", Files.readString(stderr)).isTrue();
            assertThat(child.waitFor(LINE_TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).isEqualTo(137); // 128 + SIGKILL
        } finally {
            child.destroyForcibly();
            child.waitFor(LINE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
    }

    private void verify(Path db, Set<Reported> appended, Set<Reported> acked) throws Exception {
        // opening recovers the database (WAL replay) as the next start of the client would
        try (SqliteEventLog log = TestStores.open(dir)) {
            assertThat(log.queueSize()).isNotNegative();
        }
        try (Connection c = TestDb.connect(db)) {
            assertThat(TestDb.queryStrings(c, "PRAGMA integrity_check")).containsExactly("ok");
            Map<Long, String> rows = new HashMap<>();
            Set<Long> ackedRows = new HashSet<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT sequence, CAST(event_key AS TEXT), event_offset, acked_at FROM events");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.put(rs.getLong(1), rs.getString(2) + " " + rs.getLong(3));
                    if (rs.getObject(4) != null) {
                        ackedRows.add(rs.getLong(1));
                    }
                }
            }
            for (Reported r : appended) {
                assertThat(rows.get(r.sequence())).as("reported append %s", r).isEqualTo(r.key() + " " + r.offset());
            }
            for (Reported r : acked) {
                assertThat(ackedRows).as("reported acknowledgement %s", r).contains(r.sequence());
            }
            for (int k = 0; k < 3; k++) {
                String key = "sensor-" + k;
                long count = rows.values().stream().filter(v -> v.startsWith(key + " ")).count();
                long max = rows.values().stream().filter(v -> v.startsWith(key + " "))
                        .mapToLong(v -> Long.parseLong(v.substring(v.indexOf(' ') + 1))).max().orElse(0);
                assertThat(count).as("offsets of %s are 1..%d without gaps", key, max).isEqualTo(max);
                assertThat(TestDb.queryLong(c, "SELECT event_offset FROM last_events WHERE event_key = CAST('"
                        + key + "' AS BLOB)")).isEqualTo(max);
            }
            assertThat(TestDb.queryLong(c, "SELECT unacked FROM queue_counters"))
                    .isEqualTo(rows.size() - ackedRows.size());
        }
    }
}
