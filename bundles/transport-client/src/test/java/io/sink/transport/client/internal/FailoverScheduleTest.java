package io.sink.transport.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.sink.transport.internal.state.ReconnectSchedule;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The order and the delays in which a client tries its servers. */
class FailoverScheduleTest {
    private static final ServerAddress A = new ServerAddress("a", 1);
    private static final ServerAddress B = new ServerAddress("b", 2);
    private static final ServerAddress C = new ServerAddress("c", 3);
    private static final Duration D1 = Duration.ofMillis(50);
    private static final Duration D2 = Duration.ofSeconds(1);
    private static final Duration D3 = Duration.ofSeconds(5);
    private static final Duration REFUSAL = Duration.ofMinutes(5);

    private static Failover failover(ServerAddress... servers) {
        return new Failover(List.of(servers),
                new ReconnectSchedule(List.of(D1, D2, D3), REFUSAL, 0, new SplittableRandom(1)));
    }

    @Test
    void everyServerOnceQuicklyThenTheNextStepPerRound() {
        Failover f = failover(A, B, C);
        assertThat(f.current()).isEqualTo(A);
        assertThat(f.failed(false)).isEqualTo(D1);
        assertThat(f.current()).isEqualTo(B);
        assertThat(f.failed(false)).isEqualTo(D1);
        assertThat(f.current()).isEqualTo(C);
        assertThat(f.failed(false)).as("the round is over: first step").isEqualTo(D1);
        assertThat(f.current()).isEqualTo(A);
        assertThat(f.failed(false)).isEqualTo(D1);
        assertThat(f.failed(false)).isEqualTo(D1);
        assertThat(f.failed(false)).as("second round over: second step").isEqualTo(D2);
        f.failed(false);
        f.failed(false);
        assertThat(f.failed(false)).isEqualTo(D3);
        f.failed(false);
        f.failed(false);
        assertThat(f.failed(false)).as("the last step repeats").isEqualTo(D3);
        assertThat(f.current()).isEqualTo(A);
    }

    @Test
    void aDroppedConnectionMovesToTheNextServerQuicklyAndStaysWhereItConnected() {
        Failover f = failover(A, B);
        f.failed(false); // A refuses connections
        assertThat(f.current()).isEqualTo(B);
        f.connected();
        assertThat(f.current()).as("stays on B").isEqualTo(B);
        assertThat(f.failed(false)).as("B dropped: A next, quickly").isEqualTo(D1);
        assertThat(f.current()).isEqualTo(A);
        assertThat(f.failed(false)).as("A down too: the round ends, the schedule starts over").isEqualTo(D1);
        assertThat(f.current()).isEqualTo(B);
        f.failed(false);
        assertThat(f.failed(false)).isEqualTo(D2);
    }

    @Test
    void aRoundWithARefusalEndsWithTheRefusalDelay() {
        Failover f = failover(A, B);
        assertThat(f.failed(true)).as("B still to try").isEqualTo(D1);
        assertThat(f.failed(false)).as("A refused in this round").isEqualTo(REFUSAL);
        assertThat(f.failed(false)).isEqualTo(D1);
        assertThat(f.failed(false)).as("a round without refusal: the last step, after a refusal").isEqualTo(D3);
    }

    @Test
    void oneServerIsTheScheduleAsItWas() {
        Failover f = failover(A);
        assertThat(f.failed(false)).isEqualTo(D1);
        assertThat(f.failed(false)).isEqualTo(D2);
        assertThat(f.failed(true)).isEqualTo(REFUSAL);
        assertThat(f.failed(false)).isEqualTo(D3);
        f.connected();
        assertThat(f.failed(false)).isEqualTo(D1);
        assertThat(f.current()).isEqualTo(A);
    }
}
