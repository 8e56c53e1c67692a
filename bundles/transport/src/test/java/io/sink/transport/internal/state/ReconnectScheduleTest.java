package io.sink.transport.internal.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReconnectScheduleTest {
    private static final Duration MS50 = Duration.ofMillis(50);

    /** A generator whose nextDouble() always returns {@code value}. */
    private static RandomGenerator fixed(double value) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                throw new UnsupportedOperationException();
            }

            @Override
            public double nextDouble() {
                return value;
            }
        };
    }

    private static void assertWithin10Percent(Duration actual, Duration base) {
        long b = base.toNanos();
        assertThat(actual.toNanos()).as("%s around %s", actual, base)
                .isBetween(Math.round(b * 0.9), Math.round(b * 1.1));
    }

    @Test
    void defaultScheduleIsTheOriginals() {
        assertThat(ReconnectSchedule.DEFAULT_DELAYS).containsExactly(MS50, MS50, Duration.ofSeconds(1),
                Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(60));
        ReconnectSchedule schedule = ReconnectSchedule.standard(new SplittableRandom(1));
        assertThat(schedule.delays()).isEqualTo(ReconnectSchedule.DEFAULT_DELAYS);
        assertThat(schedule.jitter()).isEqualTo(0.10);
        assertThat(schedule.refusalDelay()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void stepsWithJitterThenEvery60Seconds() {
        for (long seed = 0; seed < 200; seed++) {
            ReconnectSchedule schedule = ReconnectSchedule.standard(new SplittableRandom(seed));
            List<Duration> expected = new ArrayList<>(ReconnectSchedule.DEFAULT_DELAYS);
            for (int i = 0; i < 20; i++) {
                expected.add(Duration.ofSeconds(60));
            }
            for (Duration base : expected) {
                assertWithin10Percent(schedule.nextDelay(), base);
            }
            assertThat(schedule.failures()).isEqualTo(expected.size());
        }
    }

    @Test
    void jitterReachesBothEnds() {
        ReconnectSchedule low = new ReconnectSchedule(List.of(Duration.ofSeconds(10)), Duration.ofMinutes(1), 0.1,
                fixed(0.0));
        assertThat(low.nextDelay()).isEqualTo(Duration.ofSeconds(9));
        ReconnectSchedule high = new ReconnectSchedule(List.of(Duration.ofSeconds(10)), Duration.ofMinutes(1), 0.1,
                fixed(Math.nextDown(1.0)));
        assertThat(high.nextDelay()).isEqualTo(Duration.ofSeconds(11));
        ReconnectSchedule middle = new ReconnectSchedule(List.of(Duration.ofSeconds(10)), Duration.ofMinutes(1), 0.1,
                fixed(0.5));
        assertThat(middle.nextDelay()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void jitterSpreadsTheDelays() {
        ReconnectSchedule schedule = new ReconnectSchedule(List.of(Duration.ofSeconds(60)), Duration.ofMinutes(5), 0.1,
                new SplittableRandom(7));
        long below = 0;
        long above = 0;
        for (int i = 0; i < 1000; i++) {
            Duration delay = schedule.nextDelay();
            assertWithin10Percent(delay, Duration.ofSeconds(60));
            if (delay.compareTo(Duration.ofSeconds(57)) < 0) {
                below++;
            } else if (delay.compareTo(Duration.ofSeconds(63)) > 0) {
                above++;
            }
        }
        assertThat(below).isGreaterThan(100);
        assertThat(above).isGreaterThan(100);
    }

    @Test
    void resetStartsOver() {
        ReconnectSchedule schedule = new ReconnectSchedule(ReconnectSchedule.DEFAULT_DELAYS,
                ReconnectSchedule.DEFAULT_REFUSAL_DELAY, 0, new SplittableRandom(1));
        schedule.nextDelay();
        schedule.nextDelay();
        assertThat(schedule.nextDelay()).isEqualTo(Duration.ofSeconds(1));
        schedule.reset();
        assertThat(schedule.failures()).isZero();
        assertThat(schedule.nextDelay()).isEqualTo(MS50);
        assertThat(schedule.nextDelay()).isEqualTo(MS50);
        assertThat(schedule.nextDelay()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void withoutJitterTheStepsAreExact() {
        ReconnectSchedule schedule = new ReconnectSchedule(ReconnectSchedule.DEFAULT_DELAYS,
                ReconnectSchedule.DEFAULT_REFUSAL_DELAY, 0, fixed(0.0));
        List<Duration> delays = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            delays.add(schedule.nextDelay());
        }
        assertThat(delays).containsExactly(MS50, MS50, Duration.ofSeconds(1), Duration.ofSeconds(5),
                Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(60));
    }

    @Test
    void refusalWaitsLongAndLaterFailuresDoNotRetryQuickly() {
        ReconnectSchedule schedule = ReconnectSchedule.standard(new SplittableRandom(3));
        Duration refused = schedule.refusedDelay();
        assertWithin10Percent(refused, Duration.ofMinutes(5));
        assertThat(refused).isGreaterThanOrEqualTo(Duration.ofSeconds(30));
        assertWithin10Percent(schedule.nextDelay(), Duration.ofSeconds(60));
        assertWithin10Percent(schedule.nextDelay(), Duration.ofSeconds(60));
        assertThat(schedule.failures()).isEqualTo(3);

        schedule.reset();
        assertWithin10Percent(schedule.nextDelay(), MS50);
    }

    @Test
    void theFirstDelayBetweenServersOfARoundNeitherAdvancesNorCounts() {
        ReconnectSchedule schedule = new ReconnectSchedule(List.of(MS50, Duration.ofSeconds(1), Duration.ofSeconds(5)),
                Duration.ofMinutes(5), 0, fixed(0.5));
        assertThat(schedule.nextDelay()).isEqualTo(MS50);
        assertThat(schedule.nextDelay()).isEqualTo(Duration.ofSeconds(1));
        assertThat(schedule.firstDelay()).isEqualTo(MS50);
        assertThat(schedule.firstDelay()).isEqualTo(MS50);
        assertThat(schedule.failures()).isEqualTo(2);
        assertThat(schedule.nextDelay()).as("the schedule went on where it was").isEqualTo(Duration.ofSeconds(5));
        ReconnectSchedule jittered = new ReconnectSchedule(List.of(Duration.ofSeconds(10)), Duration.ofMinutes(1), 0.1,
                fixed(0.0));
        assertThat(jittered.firstDelay()).isEqualTo(Duration.ofSeconds(9));
    }

    @Test
    void refusalAlwaysWaitsTheRefusalDelay() {
        ReconnectSchedule schedule = new ReconnectSchedule(List.of(MS50), Duration.ofSeconds(2), 0, fixed(0));
        assertThat(schedule.refusedDelay()).isEqualTo(Duration.ofSeconds(2));
        assertThat(schedule.refusedDelay()).isEqualTo(Duration.ofSeconds(2));
        assertThat(schedule.nextDelay()).isEqualTo(MS50);
    }

    @Test
    void customShortScheduleForTests() {
        ReconnectSchedule schedule = new ReconnectSchedule(List.of(Duration.ofMillis(1), Duration.ofMillis(5)),
                Duration.ofMillis(20), 0.5, new SplittableRandom(9));
        Duration first = schedule.nextDelay();
        assertThat(first.toNanos()).isBetween(500_000L, 1_500_000L);
        for (int i = 0; i < 10; i++) {
            assertThat(schedule.nextDelay().toNanos()).isBetween(2_500_000L, 7_500_000L);
        }
    }

    @Test
    void rejectsAnEmptySchedule() {
        assertThatThrownBy(() -> new ReconnectSchedule(List.of(), Duration.ofSeconds(1), 0.1, fixed(0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("reconnect delays must not be empty");
    }

    @Test
    void rejectsNonPositiveDelays() {
        assertThatThrownBy(() -> new ReconnectSchedule(List.of(MS50, Duration.ZERO), Duration.ofSeconds(1), 0.1,
                fixed(0))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("reconnect delay 2 must be positive, got PT0S");
        assertThatThrownBy(() -> new ReconnectSchedule(List.of(Duration.ofMillis(-5)), Duration.ofSeconds(1), 0.1,
                fixed(0))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("reconnect delay 1 must be positive, got PT-0.005S");
        assertThatThrownBy(() -> new ReconnectSchedule(List.of(MS50), Duration.ZERO, 0.1, fixed(0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("refusal delay must be positive, got PT0S");
        assertThatThrownBy(() -> new ReconnectSchedule(List.of(Duration.ofDays(2)), Duration.ofSeconds(1), 0.1,
                fixed(0))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("reconnect delay 1 must be at most 1 day, got PT48H");
    }

    @Test
    void rejectsNullDelays() {
        assertThatThrownBy(() -> new ReconnectSchedule(Arrays.asList(MS50, null), Duration.ofSeconds(1), 0.1,
                fixed(0))).isInstanceOf(NullPointerException.class).hasMessage("reconnect delay 2");
        assertThatThrownBy(() -> new ReconnectSchedule(null, Duration.ofSeconds(1), 0.1, fixed(0)))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new ReconnectSchedule(List.of(MS50), Duration.ofSeconds(1), 0.1, null))
                .isInstanceOf(NullPointerException.class);
    }

    @ParameterizedTest
    @ValueSource(doubles = {-0.01, 1.0, 1.5, Double.NaN, Double.POSITIVE_INFINITY})
    void rejectsJitterOutside0To1(double jitter) {
        assertThatThrownBy(() -> new ReconnectSchedule(List.of(MS50), Duration.ofSeconds(1), jitter, fixed(0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("reconnect jitter must be at least 0 and below 1, got " + jitter);
    }

    @Test
    void theScheduleIsCopied() {
        List<Duration> delays = new ArrayList<>(List.of(MS50));
        ReconnectSchedule schedule = new ReconnectSchedule(delays, Duration.ofSeconds(1), 0, fixed(0));
        delays.set(0, Duration.ofHours(1));
        assertThat(schedule.nextDelay()).isEqualTo(MS50);
    }

    @Test
    void parsesConfiguredDelays() {
        assertThat(ReconnectSchedule.parseDelays("50ms, 50ms, 1s, 5s, 30s, 60s"))
                .isEqualTo(ReconnectSchedule.DEFAULT_DELAYS);
        assertThat(ReconnectSchedule.parseDelays("2m,1h,PT1.5S, 10 MS"))
                .containsExactly(Duration.ofMinutes(2), Duration.ofHours(1), Duration.ofMillis(1500),
                        Duration.ofMillis(10));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  "})
    void parsingNothingIsRefused(String text) {
        assertThatThrownBy(() -> ReconnectSchedule.parseDelays(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("reconnect delays must not be empty");
    }

    @Test
    void parsingNamesTheBadEntry() {
        assertThatThrownBy(() -> ReconnectSchedule.parseDelays("50ms, soon, 1s"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("reconnect delay 2 \"soon\" is not a duration such as 50ms, 1s, 5m, 1h or PT1.5S");
        assertThatThrownBy(() -> ReconnectSchedule.parseDelays("50ms,,1s"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("reconnect delay 2 \"\"");
        assertThatThrownBy(() -> ReconnectSchedule.parseDelays("5d"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("reconnect delay 1 \"5d\"");
        assertThatThrownBy(() -> ReconnectSchedule.parseDelays("99999999999999999999s"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("reconnect delay 1");
    }

    /** Every delay of any schedule, after failures and refusals alike, stays within the jitter of its base. */
    @Property
    void delaysStayWithinTheJitter(@ForAll long seed, @ForAll @IntRange(min = 1, max = 40) int attempts,
            @ForAll @IntRange(min = 0, max = 99) int jitterPercent, @ForAll @IntRange(min = 0, max = 9) int refusalEvery) {
        double jitter = jitterPercent / 100.0;
        ReconnectSchedule schedule = new ReconnectSchedule(ReconnectSchedule.DEFAULT_DELAYS,
                ReconnectSchedule.DEFAULT_REFUSAL_DELAY, jitter, new SplittableRandom(seed));
        int step = 0;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            boolean refusal = refusalEvery > 0 && attempt % refusalEvery == 0;
            Duration base;
            Duration delay;
            if (refusal) {
                base = ReconnectSchedule.DEFAULT_REFUSAL_DELAY;
                delay = schedule.refusedDelay();
                step = ReconnectSchedule.DEFAULT_DELAYS.size() - 1;
            } else {
                base = ReconnectSchedule.DEFAULT_DELAYS.get(step);
                delay = schedule.nextDelay();
                step = Math.min(step + 1, ReconnectSchedule.DEFAULT_DELAYS.size() - 1);
            }
            long b = base.toNanos();
            assertThat(delay.toNanos()).isBetween((long) Math.floor(b * (1 - jitter)), (long) Math.ceil(b * (1 + jitter)));
        }
        assertThat(schedule.failures()).isEqualTo(attempts);
    }
}
