package io.sink.transport.internal.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.api.AckKey;
import io.sink.api.Nack;
import io.sink.api.PublishResult;
import io.sink.transport.internal.state.Inflight.Refusal;
import io.sink.transport.internal.state.Inflight.Refused;
import io.sink.transport.internal.state.Inflight.Registered;
import io.sink.transport.internal.state.Inflight.Registration;
import io.sink.transport.internal.state.Inflight.Settled;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * {@link Inflight} against a simple model: random runs of registrations and answers, in any order,
 * with some PUBLISHes left unanswered for a long time, windows from 1 to 4095 and any first id.
 * Ids must come out sequential (wrapping at 4095), never collide with one still in flight, and
 * every refusal and answer must be the model's.
 */
class InflightPropertyTest {
    private static final Nack NACK = Nack.of("E", "refused");

    @Property
    void idsAreSequentialAndNeverReusedWhileInFlight(
            @ForAll @IntRange(min = 1, max = 4095) int window,
            @ForAll @IntRange(min = 0, max = 4095) int first,
            @ForAll @IntRange(min = 1, max = 10_000) int steps,
            @ForAll @IntRange(min = 5, max = 95) int registerPercent,
            @ForAll @IntRange(min = 0, max = 10) int stalePercent,
            @ForAll long seed) throws ProtocolViolation {
        SplittableRandom random = new SplittableRandom(seed);
        Inflight<Integer> inflight = new Inflight<>(window, first);
        // the model: in-flight PUBLISHes by id in send order, and their contexts
        LinkedHashMap<Integer, AckKey> model = new LinkedHashMap<>();
        Map<Integer, Integer> contexts = new LinkedHashMap<>();
        List<Integer> answerable = new ArrayList<>(); // ids answered soon, in no particular order
        Set<Integer> stale = new HashSet<>(); // ids left unanswered until they block the counter
        int expectedNext = first;
        int serial = 0;

        for (int step = 0; step < steps; step++) {
            if (random.nextInt(100) < registerPercent || model.isEmpty()) {
                boolean duplicate = !model.isEmpty() && random.nextInt(20) == 0;
                AckKey key = duplicate ? anyValue(model, random) : AckKey.of(serial % 7, "k" + serial, serial);
                Registration registration = inflight.register(key, serial);
                if (duplicate) {
                    check(registration instanceof Refused r && r.refusal() == Refusal.ACK_KEY_IN_FLIGHT,
                            () -> "duplicate ack key must be refused, got " + registration);
                } else if (model.size() >= window) {
                    check(registration instanceof Refused r && r.refusal() == Refusal.WINDOW_FULL,
                            () -> "full window must be refused, got " + registration);
                    check(inflight.available() == 0, () -> "available with a full window");
                } else if (model.containsKey(expectedNext)) {
                    int blocking = expectedNext;
                    check(registration instanceof Refused r && r.refusal() == Refusal.MESSAGE_ID_IN_USE,
                            () -> "id " + blocking + " in flight must block, got " + registration);
                    check(inflight.available() == 0, () -> "available while the next id is in flight");
                    if (stale.contains(blocking) && random.nextBoolean()) {
                        stale.remove(blocking); // the slow peer finally answers it
                        answerable.add(blocking);
                    }
                } else {
                    int expected = expectedNext;
                    check(registration instanceof Registered r && r.messageId() == expected,
                            () -> "expected id " + expected + ", got " + registration);
                    model.put(expected, key);
                    contexts.put(expected, serial);
                    (random.nextInt(100) < stalePercent ? stale : answerable).add(expected);
                    expectedNext = (expectedNext + 1) % Inflight.ID_SPACE;
                    serial++;
                }
            } else if (random.nextInt(50) == 0) {
                int id = random.nextInt(Inflight.ID_SPACE);
                if (!model.containsKey(id)) {
                    assertThatThrownBy(() -> inflight.ack(id)).isInstanceOf(ProtocolViolation.class)
                            .hasMessage("ACK for message id " + id + " which is not in flight");
                }
            } else if (!answerable.isEmpty()) {
                int index = random.nextInt(answerable.size());
                int id = answerable.get(index);
                answerable.set(index, answerable.get(answerable.size() - 1));
                answerable.remove(answerable.size() - 1);
                boolean ack = random.nextBoolean();
                Settled<Integer> settled = ack ? inflight.ack(id) : inflight.nack(id, NACK);
                AckKey key = model.remove(id);
                Integer context = contexts.remove(id);
                check(settled.messageId() == id && settled.ackKey().equals(key) && settled.context().equals(context)
                        && (ack ? settled.result().equals(new PublishResult.Acked(key))
                                : settled.result().equals(new PublishResult.Nacked(key, NACK))),
                        () -> "wrong answer for id " + id + ": " + settled);
            }
            check(inflight.size() == model.size(), () -> "size " + inflight.size() + " != " + model.size());
            check(inflight.nextMessageId() == expectedNext, () -> "next id");
        }

        // available(): the free ids from the next one on, up to the room left in the window
        int room = window - model.size();
        int free = 0;
        while (free < room && !model.containsKey((expectedNext + free) % Inflight.ID_SPACE)) {
            free++;
        }
        assertThat(inflight.available()).isEqualTo(free);
        assertThat(inflight.ackKeys()).containsExactlyElementsOf(model.values());
        for (AckKey key : model.values()) {
            assertThat(inflight.isInFlight(key)).isTrue();
        }

        List<Settled<Integer>> failed = inflight.failAll("dropped");
        assertThat(failed).extracting(Settled::messageId).containsExactlyElementsOf(model.keySet());
        assertThat(failed).extracting(Settled::result)
                .allSatisfy(result -> assertThat(result).isInstanceOf(PublishResult.Failed.class));
        assertThat(inflight.isEmpty()).isTrue();
        assertThat(inflight.available()).isEqualTo(window);
    }

    private static AckKey anyValue(LinkedHashMap<Integer, AckKey> model, SplittableRandom random) {
        int skip = random.nextInt(Math.min(model.size(), 8));
        for (AckKey key : model.values()) {
            if (skip-- == 0) {
                return key;
            }
        }
        throw new AssertionError("unreachable");
    }

    private static void check(boolean condition, Supplier<String> message) {
        if (!condition) {
            throw new AssertionError(message.get());
        }
    }
}
