package io.sink.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.Test;

/** Await.until without a framework: it returns once the condition holds and fails at the deadline. */
public class AwaitTest {

    @Test
    public void returnsOnceTheConditionHolds() throws InterruptedException {
        AtomicInteger polls = new AtomicInteger();
        Await.until("the third poll", Duration.ofSeconds(5), () -> polls.incrementAndGet() >= 3);
        assertEquals(3, polls.get());
    }

    @Test
    public void failsAtTheDeadlineNamingTheCondition() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> Await.until("pigs fly", Duration.ofMillis(50), () -> false));
        assertTrue(e.getMessage(), e.getMessage().matches("timed out after 50 ms waiting until pigs fly"));
    }
}
