package io.sink.transport.internal.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ConnectionLimiterTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void limitsConnectionsPerAddressAndReleasesThem() {
        ConnectionLimiter limiter = new ConnectionLimiter(10, 2, 1000, 1000, 0);
        assertThat(limiter.tryAdmit("10.0.0.1", 0)).isEmpty();
        assertThat(limiter.tryAdmit("10.0.0.1", 0)).isEmpty();
        assertThat(limiter.tryAdmit("10.0.0.1", 0)).hasValueSatisfying(r -> assertThat(r).contains("per-address"));
        assertThat(limiter.tryAdmit("10.0.0.2", 0)).isEmpty();
        limiter.release("10.0.0.1");
        assertThat(limiter.openFrom("10.0.0.1")).isEqualTo(1);
        assertThat(limiter.tryAdmit("10.0.0.1", 0)).isEmpty();
        assertThat(limiter.open()).isEqualTo(3);
    }

    @Test
    void limitsConnectionsInAll() {
        ConnectionLimiter limiter = new ConnectionLimiter(2, 5, 1000, 1000, 0);
        assertThat(limiter.tryAdmit("a", 0)).isEmpty();
        assertThat(limiter.tryAdmit("b", 0)).isEmpty();
        assertThat(limiter.tryAdmit("c", 0)).hasValueSatisfying(r -> assertThat(r).contains("connection limit reached (2 open)"));
        limiter.release("a");
        assertThat(limiter.tryAdmit("c", 0)).isEmpty();
    }

    @Test
    void admitsABurstThenAtTheRate() {
        ConnectionLimiter limiter = new ConnectionLimiter(1000, 1000, 2, 3, 0);
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.tryAdmit("a", 0)).isEmpty();
        }
        assertThat(limiter.tryAdmit("a", 0)).hasValueSatisfying(r -> assertThat(r).contains("handshake rate"));
        assertThat(limiter.tryAdmit("a", SECOND / 2)).as("one token after 0.5 s at 2/s").isEmpty();
        assertThat(limiter.tryAdmit("a", SECOND / 2)).isPresent();
        assertThat(limiter.tryAdmit("a", 100 * SECOND)).isEmpty();
        assertThat(limiter.tryAdmit("a", 100 * SECOND)).isEmpty();
        assertThat(limiter.tryAdmit("a", 100 * SECOND)).isEmpty();
        assertThat(limiter.tryAdmit("a", 100 * SECOND)).as("the bucket holds at most the burst").isPresent();
    }

    @Test
    void releasingAnUnknownAddressChangesNothing() {
        ConnectionLimiter limiter = new ConnectionLimiter(1, 1, 1, 1, 0);
        limiter.release("nobody");
        assertThat(limiter.open()).isZero();
    }
}
