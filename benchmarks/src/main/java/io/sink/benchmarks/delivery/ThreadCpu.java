package io.sink.benchmarks.delivery;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time of every thread of a JVM (this one or a child), Java threads and the VM's own (JIT compilers, GC), from
 * {@code /proc/self/task} (Linux; elsewhere empty): user + system time in clock ticks, by thread.
 */
final class ThreadCpu {
    /** Clock ticks per second of /proc's counters (USER_HZ, 100 on Linux). */
    private static final long TICK_NANOS = 10_000_000L;

    private final Map<String, Long> byTask;
    private final long nanoTime = System.nanoTime();

    private ThreadCpu(Map<String, Long> byTask) {
        this.byTask = byTask;
    }

    /** When the figures were taken ({@link System#nanoTime}). */
    long nanoTime() {
        return nanoTime;
    }

    /** The CPU time each thread of this JVM used so far, keyed by task id and name. */
    static ThreadCpu now() {
        return of("self");
    }

    /** The CPU time each thread of process {@code pid} (e.g. a child JVM) used so far. */
    static ThreadCpu of(long pid) {
        return of(String.valueOf(pid));
    }

    private static ThreadCpu of(String process) {
        Map<String, Long> byTask = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", process, "task"))) {
            for (Path task : tasks) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    // pid (comm) state ...: comm may hold spaces and parentheses, so split after the last ')'
                    int open = stat.indexOf('(');
                    int close = stat.lastIndexOf(')');
                    String name = stat.substring(open + 1, close);
                    String[] f = stat.substring(close + 2).split(" ");
                    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
                    byTask.put(task.getFileName() + " " + name, ticks * TICK_NANOS);
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            // no /proc: no figures
        }
        return new ThreadCpu(byTask);
    }

    /**
     * The CPU time used since {@code before}, summed by kind of thread (numbers taken out of the
     * names, so that "GC Thread#0" and "GC Thread#1" add up).
     */
    Map<String, Long> since(ThreadCpu before) {
        // threads that ended meanwhile are missing from the later figures: their time is not counted
        Map<String, Long> byKind = new TreeMap<>();
        for (Map.Entry<String, Long> e : byTask.entrySet()) {
            long used = e.getValue() - before.byTask.getOrDefault(e.getKey(), 0L);
            String kind = e.getKey().substring(e.getKey().indexOf(' ') + 1).replaceAll("[0-9]+", "N").trim();
            byKind.merge(kind, used, Long::sum);
        }
        return byKind;
    }

    /** The CPU time of all the threads of {@code byKind} (as {@link #since} gives it). */
    static long total(Map<String, Long> byKind) {
        return byKind.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * {@code " kind us;"} for each kind of thread that used at least {@code minNanos}, the busiest first:
     * its CPU time per event in microseconds.
     */
    static String perEvent(Map<String, Long> byKind, long events, long minNanos) {
        StringBuilder line = new StringBuilder();
        byKind.entrySet().stream().filter(e -> e.getValue() >= minNanos)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> line.append(String.format(" %s %.1f;", e.getKey(), e.getValue() / 1e3 / events)));
        return line.toString();
    }
}
