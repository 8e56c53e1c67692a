package io.sink.transport.internal.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KeepaliveTest {
    private static final long K = Duration.ofSeconds(60).toNanos();
    private static final long T0 = 1_000_000_000L;

    @Test
    void defaultsAreTheOriginals() {
        Keepalive keepalive = Keepalive.client(Keepalive.DEFAULT_INTERVAL, T0);
        assertThat(keepalive.interval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(keepalive.pingCheckPeriod()).isEqualTo(Duration.ofSeconds(6));
        assertThat(keepalive.deadCheckPeriod()).isEqualTo(Duration.ofSeconds(30));
        assertThat(keepalive.deadAfter()).isEqualTo(Duration.ofSeconds(90));
        assertThat(keepalive.role()).isEqualTo(Keepalive.Role.CLIENT);
    }

    @Test
    void clientPingsAfterAnIntervalOfSilenceInBothDirections() {
        Keepalive keepalive = Keepalive.client(Duration.ofNanos(K), T0);
        assertThat(keepalive.checkPing(T0)).isFalse();
        assertThat(keepalive.checkPing(T0 + K - 1)).isFalse();
        assertThat(keepalive.checkPing(T0 + K)).isTrue();
        assertThat(keepalive.checkPing(T0 + 5 * K)).isTrue();
    }

    @Test
    void aFrameSentPostponesThePing() {
        Keepalive keepalive = Keepalive.client(Duration.ofNanos(K), T0);
        keepalive.onFrameSent(T0 + K / 2);
        assertThat(keepalive.checkPing(T0 + K)).as("received long ago, but sent recently").isFalse();
        assertThat(keepalive.checkPing(T0 + K / 2 + K - 1)).isFalse();
        assertThat(keepalive.checkPing(T0 + K / 2 + K)).isTrue();
    }

    @Test
    void aFrameReceivedPostponesThePing() {
        Keepalive keepalive = Keepalive.client(Duration.ofNanos(K), T0);
        keepalive.onFrameReceived(T0 + K / 3);
        assertThat(keepalive.checkPing(T0 + K)).as("sent long ago, but received recently").isFalse();
        assertThat(keepalive.checkPing(T0 + K / 3 + K)).isTrue();
    }

    @Test
    void afterAPingTheNextWaitsAnotherInterval() {
        Keepalive keepalive = Keepalive.client(Duration.ofNanos(K), T0);
        assertThat(keepalive.checkPing(T0 + K)).isTrue();
        keepalive.onFrameSent(T0 + K);
        assertThat(keepalive.checkPing(T0 + K + K / 10)).isFalse();
        assertThat(keepalive.checkPing(T0 + 2 * K)).isTrue();
    }

    @Test
    void serverNeverPings() {
        Keepalive keepalive = Keepalive.server(Duration.ofNanos(K), T0);
        assertThat(keepalive.role()).isEqualTo(Keepalive.Role.SERVER);
        assertThat(keepalive.checkPing(T0 + 100 * K)).isFalse();
    }

    @Test
    void deadAfterOneAndAHalfIntervalsWithoutReceiving() {
        for (Keepalive keepalive : new Keepalive[] {Keepalive.client(Duration.ofNanos(K), T0),
                Keepalive.server(Duration.ofNanos(K), T0)}) {
            assertThat(keepalive.checkDead(T0 + K + K / 2 - 1)).isFalse();
            assertThat(keepalive.checkDead(T0 + K + K / 2)).isTrue();
        }
    }

    @Test
    void sendingDoesNotKeepAConnectionAlive() {
        Keepalive keepalive = Keepalive.client(Duration.ofNanos(K), T0);
        keepalive.onFrameSent(T0 + K);
        keepalive.onFrameSent(T0 + K + K / 4);
        assertThat(keepalive.checkDead(T0 + K + K / 2)).isTrue();
    }

    @Test
    void anyFrameReceivedKeepsItAlive() {
        Keepalive keepalive = Keepalive.server(Duration.ofNanos(K), T0);
        keepalive.onFrameReceived(T0 + K);
        assertThat(keepalive.checkDead(T0 + K + K + K / 2 - 1)).isFalse();
        assertThat(keepalive.checkDead(T0 + K + K + K / 2)).isTrue();
        assertThat(keepalive.sinceLastReceived(T0 + 2 * K)).isEqualTo(Duration.ofNanos(K));
    }

    @Test
    void olderTimestampsDoNotMoveTheClockBack() {
        Keepalive keepalive = Keepalive.client(Duration.ofNanos(K), T0);
        keepalive.onFrameReceived(T0 + K);
        keepalive.onFrameReceived(T0 + 10);
        keepalive.onFrameSent(T0 + K);
        keepalive.onFrameSent(T0 + 10);
        assertThat(keepalive.checkDead(T0 + K + K + K / 2 - 1)).isFalse();
        assertThat(keepalive.checkPing(T0 + 2 * K - 1)).isFalse();
    }

    @Test
    void worksAcrossTheNanoTimeWrap() {
        long start = Long.MAX_VALUE - K / 2;
        Keepalive keepalive = Keepalive.client(Duration.ofNanos(K), start);
        assertThat(keepalive.checkPing(start + K - 1)).isFalse();
        assertThat(keepalive.checkPing(start + K)).isTrue(); // start + K overflows to a negative value
        assertThat(keepalive.checkDead(start + K + K / 2)).isTrue();
        keepalive.onFrameReceived(start + K);
        assertThat(keepalive.checkDead(start + K + 1)).isFalse();
    }

    @Test
    void checkPeriodsForAShortInterval() {
        Keepalive keepalive = Keepalive.client(Duration.ofMillis(200), 0);
        assertThat(keepalive.pingCheckPeriod()).isEqualTo(Duration.ofMillis(20));
        assertThat(keepalive.deadCheckPeriod()).isEqualTo(Duration.ofMillis(100));
        assertThat(keepalive.deadAfter()).isEqualTo(Duration.ofMillis(300));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1, 999_999})
    void rejectsIntervalsBelowOneMillisecond(long nanos) {
        assertThatThrownBy(() -> Keepalive.client(Duration.ofNanos(nanos), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("keepalive interval must be between 1 ms and 1 day, got " + Duration.ofNanos(nanos));
    }

    @Test
    void rejectsIntervalsAboveOneDay() {
        assertThatThrownBy(() -> Keepalive.server(Duration.ofDays(1).plusNanos(1), 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Keepalive.server(Duration.ofDays(1), 0).interval()).isEqualTo(Duration.ofDays(1));
        assertThat(Keepalive.server(Duration.ofMillis(1), 0).interval()).isEqualTo(Duration.ofMillis(1));
    }

    @Test
    void rejectsNulls() {
        assertThatThrownBy(() -> new Keepalive(null, Duration.ofSeconds(1), 0)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Keepalive.client(null, 0)).isInstanceOf(NullPointerException.class);
    }

    /**
     * Checking every K/10 as the transport does, a silent client pings between K and 1.1 K after its
     * last frame; checking every K/2, a silent peer is found dead between 1.5 K and 2 K.
     */
    @Property
    void periodicChecksFireWithinTheirWindows(@ForAll @LongRange(min = 1_000_000, max = 86_400_000_000_000L) long k,
            @ForAll long start, @ForAll @LongRange(min = 0, max = 1_000_000_000_000L) long phase) {
        Keepalive keepalive = Keepalive.client(Duration.ofNanos(k), start);
        long pingPeriod = keepalive.pingCheckPeriod().toNanos();
        long firstCheck = start + phase % pingPeriod;
        long check = firstCheck;
        while (!keepalive.checkPing(check)) {
            check += pingPeriod;
        }
        assertThat(check - start).isBetween(k, k + pingPeriod);

        long deadPeriod = keepalive.deadCheckPeriod().toNanos();
        check = start + phase % deadPeriod;
        while (!keepalive.checkDead(check)) {
            check += deadPeriod;
        }
        assertThat(check - start).isBetween(k + k / 2, 2 * k);
    }

    /** The checks as closed formulas over arbitrary sent and received times. */
    @Property
    void checksMatchTheirDefinition(@ForAll @LongRange(min = 1_000_000, max = 86_400_000_000_000L) long k,
            @ForAll long start, @ForAll @LongRange(min = 0, max = 200_000_000_000_000L) long sentAfter,
            @ForAll @LongRange(min = 0, max = 200_000_000_000_000L) long receivedAfter,
            @ForAll @LongRange(min = 0, max = 200_000_000_000_000L) long nowAfter) {
        Keepalive keepalive = Keepalive.client(Duration.ofNanos(k), start);
        keepalive.onFrameSent(start + sentAfter);
        keepalive.onFrameReceived(start + receivedAfter);
        long now = start + Math.max(nowAfter, Math.max(sentAfter, receivedAfter));
        long sinceSent = now - (start + sentAfter);
        long sinceReceived = now - (start + receivedAfter);
        assertThat(keepalive.checkPing(now)).isEqualTo(sinceSent >= k && sinceReceived >= k);
        assertThat(keepalive.checkDead(now)).isEqualTo(sinceReceived >= k + k / 2);
    }
}
