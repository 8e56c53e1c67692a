package io.sink.transport.internal.state;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.random.RandomGenerator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How long a client waits before reconnecting (section 9).
 *
 * <p>After each failed or dropped connection, {@link #nextDelay()} gives the next step of the
 * schedule, by default 50 ms, 50 ms, 1 s, 5 s, 30 s, then 60 s for every further attempt, each with
 * ±10% jitter. A connection whose handshake succeeded {@link #reset() resets} the schedule.
 *
 * <p>A connection refused at the handshake ({@code instance_id_mismatch}, {@code quarantined},
 * unsupported versions) or by the certificate check must not be retried in a tight loop:
 * {@link #refusedDelay()} gives the refusal delay (by default 5 minutes, what the original's
 * {@code DefaultBackoff} waits after the server actively denied a connection) and moves the
 * schedule to its last step, so a failure right after a refusal is not retried quickly either.
 *
 * <p>A client given several servers goes through its list before backing off: between the
 * addresses of one round it waits {@link #firstDelay()}; the round's end takes the next step.
 *
 * <p>The steps, the refusal delay and the jitter are configurable (short schedules for tests).
 *
 * <p>Not thread-safe: used by the one client that reconnects.
 */
public final class ReconnectSchedule {
    /** The original's steps: 50 ms, 50 ms, 1 s, 5 s, 30 s, then 60 s. */
    public static final List<Duration> DEFAULT_DELAYS = List.of(Duration.ofMillis(50), Duration.ofMillis(50),
            Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(60));
    /** The delay after a refusal: 5 minutes. */
    public static final Duration DEFAULT_REFUSAL_DELAY = Duration.ofMinutes(5);
    /** ±10%. */
    public static final double DEFAULT_JITTER = 0.10;

    private static final Pattern SIMPLE = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

    private final List<Duration> delays;
    private final Duration refusalDelay;
    private final double jitter;
    private final RandomGenerator random;
    private int step;
    private long failures;

    /**
     * @param delays       the steps; the last one repeats. Not empty, each positive
     * @param refusalDelay the delay after a refusal; positive
     * @param jitter       the relative jitter, 0 (none) up to but excluding 1: each delay is drawn
     *                     uniformly from [d(1 - jitter), d(1 + jitter)]
     * @param random       draws the jitter
     */
    public ReconnectSchedule(List<Duration> delays, Duration refusalDelay, double jitter, RandomGenerator random) {
        Objects.requireNonNull(delays, "delays");
        if (delays.isEmpty()) {
            throw new IllegalArgumentException("reconnect delays must not be empty");
        }
        for (int i = 0; i < delays.size(); i++) {
            requirePositive("reconnect delay " + (i + 1), delays.get(i));
        }
        this.delays = List.copyOf(delays);
        this.refusalDelay = requirePositive("refusal delay", refusalDelay);
        if (!(jitter >= 0 && jitter < 1)) {
            throw new IllegalArgumentException("reconnect jitter must be at least 0 and below 1, got " + jitter);
        }
        this.jitter = jitter;
        this.random = Objects.requireNonNull(random, "random");
    }

    /** The original's schedule with ±10% jitter and a 5-minute delay after a refusal. */
    public static ReconnectSchedule standard(RandomGenerator random) {
        return new ReconnectSchedule(DEFAULT_DELAYS, DEFAULT_REFUSAL_DELAY, DEFAULT_JITTER, random);
    }

    /** The delay before the next attempt after a failed or dropped connection; advances the schedule. */
    public Duration nextDelay() {
        Duration base = delays.get(step);
        if (step < delays.size() - 1) {
            step++;
        }
        failures++;
        return jittered(base);
    }

    /**
     * The delay before trying another server of a client's list after one failed, while the round
     * through the list is not over: the first step, jittered. Does not advance the schedule nor count
     * as a failure (the round does, once, when it ends with {@link #nextDelay()} or
     * {@link #refusedDelay()}).
     */
    public Duration firstDelay() {
        return jittered(delays.get(0));
    }

    /**
     * The delay before the next attempt after the server refused the connection at the handshake or
     * the certificate check failed; the schedule continues from its last step.
     */
    public Duration refusedDelay() {
        step = delays.size() - 1;
        failures++;
        return jittered(refusalDelay);
    }

    /** The handshake succeeded: the next failure starts the schedule from its first step. */
    public void reset() {
        step = 0;
        failures = 0;
    }

    /** Failed attempts since the last {@link #reset()}. */
    public long failures() {
        return failures;
    }

    /** The steps, without jitter. */
    public List<Duration> delays() {
        return delays;
    }

    public Duration refusalDelay() {
        return refusalDelay;
    }

    public double jitter() {
        return jitter;
    }

    private Duration jittered(Duration base) {
        if (jitter == 0) {
            return base;
        }
        double factor = 1 + jitter * (2 * random.nextDouble() - 1);
        long nanos = Math.round(base.toNanos() * factor);
        return Duration.ofNanos(Math.max(1, nanos));
    }

    private static Duration requirePositive(String name, Duration delay) {
        Objects.requireNonNull(delay, name);
        if (delay.isNegative() || delay.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + delay);
        }
        if (delay.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException(name + " must be at most 1 day, got " + delay);
        }
        return delay;
    }

    /**
     * Parses a list of delays for configuration, e.g. {@code "50ms, 50ms, 1s, 5s, 30s, 60s"}: each a
     * whole number with unit {@code ms}, {@code s}, {@code m} or {@code h}, or an ISO-8601 duration
     * such as {@code PT1.5S}; separated by commas.
     *
     * @throws IllegalArgumentException naming the entry that is not a duration
     */
    public static List<Duration> parseDelays(String text) {
        Objects.requireNonNull(text, "text");
        List<Duration> result = new ArrayList<>();
        String[] parts = text.split(",", -1);
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i].strip();
            if (part.isEmpty() && parts.length == 1) {
                break;
            }
            result.add(parseDelay(part, i + 1));
        }
        if (result.isEmpty()) {
            throw new IllegalArgumentException("reconnect delays must not be empty");
        }
        return List.copyOf(result);
    }

    private static Duration parseDelay(String part, int position) {
        Matcher m = SIMPLE.matcher(part.toLowerCase(Locale.ROOT));
        try {
            if (m.matches()) {
                long amount = Long.parseLong(m.group(1));
                switch (m.group(2)) {
                    case "ms":
                        return Duration.ofMillis(amount);
                    case "s":
                        return Duration.ofSeconds(amount);
                    case "m":
                        return Duration.ofMinutes(amount);
                    default:
                        return Duration.ofHours(amount);
                }
            }
            return Duration.parse(part);
        } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("reconnect delay " + position + " \"" + part
                    + "\" is not a duration such as 50ms, 1s, 5m, 1h or PT1.5S", e);
        }
    }

    @Override
    public String toString() {
        return "ReconnectSchedule[" + delays + ", refused " + refusalDelay + ", jitter " + jitter + ", step " + step
                + "]";
    }
}
