package io.sink.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AwaitTest {

    @Test
    void returnsOnceTheConditionHolds() {
        CountDownLatch latch = new CountDownLatch(1);
        Thread t = new Thread(latch::countDown);
        t.start();
        Await.until("the other thread counted down", Duration.ofSeconds(10), () -> latch.getCount() == 0);
        assertThat(latch.getCount()).isZero();
    }

    @Test
    void checksOnTheCallingThreadAndAtOnce() {
        Thread caller = Thread.currentThread();
        AtomicInteger checks = new AtomicInteger();
        Await.until("checked", Duration.ofSeconds(10), () -> {
            assertThat(Thread.currentThread()).isSameAs(caller);
            return checks.incrementAndGet() > 0;
        });
        assertThat(checks).hasValue(1);
    }

    @Test
    void failsAtTheDeadlineNamingWhatItWaitedFor() {
        long start = System.nanoTime();
        assertThatThrownBy(() -> Await.until("pigs to fly", Duration.ofMillis(200), () -> false))
                .isInstanceOf(AssertionError.class).hasMessage("timed out after 200 ms waiting for: pigs to fly");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
    }

    @Test
    void theDescriptionIsComputedOnFailure() {
        AtomicInteger status = new AtomicInteger(41);
        assertThatThrownBy(() -> Await.until(() -> "status " + status.incrementAndGet(), Duration.ofMillis(50),
                () -> false)).hasMessageEndingWith("status 42");
    }

    @Test
    void holdsTellsWithoutFailing() {
        assertThat(Await.holds(Duration.ofMillis(50), () -> false)).isFalse();
        assertThat(Await.holds(Duration.ofMillis(50), () -> true)).isTrue();
    }
}
