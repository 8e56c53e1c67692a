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
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class InflightTest {
    private static final AckKey STALE = AckKey.of(9, "stale", 1);

    private static AckKey key(int n) {
        return AckKey.of(1, "sensor-" + n, n);
    }

    private static int registered(Registration registration) {
        assertThat(registration).isInstanceOf(Registered.class);
        return ((Registered) registration).messageId();
    }

    private static Refused refused(Registration registration) {
        assertThat(registration).isInstanceOf(Refused.class);
        return (Refused) registration;
    }

    @Nested
    class Construction {
        @ParameterizedTest
        @ValueSource(ints = {0, -1, 4096, Integer.MAX_VALUE, Integer.MIN_VALUE})
        void rejectsWindowOutside1To4095(int window) {
            assertThatThrownBy(() -> new Inflight<String>(window, 0))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("window must be between 1 and 4095 PUBLISHes in flight, got " + window);
        }

        @ParameterizedTest
        @ValueSource(ints = {1, 2, 100, 4095})
        void acceptsWindow1To4095(int window) {
            Inflight<String> inflight = new Inflight<>(window, 0);
            assertThat(inflight.window()).isEqualTo(window);
            assertThat(inflight.available()).isEqualTo(window);
            assertThat(inflight.size()).isZero();
            assertThat(inflight.isEmpty()).isTrue();
        }

        @ParameterizedTest
        @ValueSource(ints = {-1, 4096, 65535})
        void rejectsFirstMessageIdOutside12Bits(int first) {
            assertThatThrownBy(() -> new Inflight<String>(10, first))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("message id must be between 0 and 4095, got " + first);
        }

        @Test
        void firstMessageIdComesFromTheRandomGenerator() {
            for (long seed = 0; seed < 50; seed++) {
                int expected = new SplittableRandom(seed).nextInt(4096);
                Inflight<String> inflight = new Inflight<>(10, new SplittableRandom(seed));
                assertThat(inflight.nextMessageId()).isEqualTo(expected);
                assertThat(registered(inflight.register(key(1), "a"))).isEqualTo(expected);
            }
        }

        @Test
        void randomFirstMessageIdsSpreadOverTheWholeIdSpace() {
            Random random = new Random(1234);
            Set<Integer> firsts = new HashSet<>();
            for (int i = 0; i < 20_000; i++) {
                int first = new Inflight<String>(1, random).nextMessageId();
                assertThat(first).isBetween(0, 4095);
                firsts.add(first);
            }
            assertThat(firsts).contains(0, 4095).hasSizeGreaterThan(4000);
        }

        @Test
        void rejectsNullRandom() {
            assertThatThrownBy(() -> new Inflight<String>(10, (java.util.random.RandomGenerator) null))
                    .isInstanceOf(NullPointerException.class).hasMessage("random");
        }
    }

    @Nested
    class Registering {
        @Test
        void idsAdvanceByOnePerPublish() {
            Inflight<String> inflight = new Inflight<>(10, 100);
            assertThat(registered(inflight.register(key(1), "a"))).isEqualTo(100);
            assertThat(registered(inflight.register(key(2), "b"))).isEqualTo(101);
            assertThat(registered(inflight.register(key(3), "c"))).isEqualTo(102);
            assertThat(inflight.nextMessageId()).isEqualTo(103);
            assertThat(inflight.size()).isEqualTo(3);
            assertThat(inflight.available()).isEqualTo(7);
        }

        @Test
        void idsWrapFrom4095To0() {
            Inflight<String> inflight = new Inflight<>(10, 4094);
            assertThat(registered(inflight.register(key(1), "a"))).isEqualTo(4094);
            assertThat(registered(inflight.register(key(2), "b"))).isEqualTo(4095);
            assertThat(registered(inflight.register(key(3), "c"))).isEqualTo(0);
            assertThat(registered(inflight.register(key(4), "d"))).isEqualTo(1);
        }

        @Test
        void answersDoNotConsumeIds() throws ProtocolViolation {
            Inflight<String> inflight = new Inflight<>(10, 7);
            inflight.register(key(1), "a");
            inflight.ack(7);
            inflight.register(key(2), "b");
            inflight.nack(8, Nack.of("", ""));
            assertThat(registered(inflight.register(key(3), "c"))).isEqualTo(9);
        }

        @Test
        void sameAckKeyTwiceIsRefusedAndChangesNothing() {
            Inflight<String> inflight = new Inflight<>(10, 17);
            inflight.register(AckKey.of(3, "k", 9), "first");
            Refused refused = refused(inflight.register(AckKey.of(3, "k", 9), "second"));
            assertThat(refused.refusal()).isEqualTo(Refusal.ACK_KEY_IN_FLIGHT);
            assertThat(refused.message())
                    .isEqualTo("event (3, \"k\", 9) is already in flight on this connection as message id 17");
            assertThat(inflight.size()).isEqualTo(1);
            assertThat(inflight.nextMessageId()).isEqualTo(18);
        }

        @Test
        void anAckKeyMayBeSentAgainOnceAnswered() throws ProtocolViolation {
            Inflight<String> inflight = new Inflight<>(10, 0);
            inflight.register(key(1), "first");
            inflight.nack(0, Nack.of("busy", "try later"));
            assertThat(registered(inflight.register(key(1), "again"))).isEqualTo(1);
        }

        @Test
        void sameKeyDifferentOffsetIsADifferentEvent() {
            Inflight<String> inflight = new Inflight<>(10, 0);
            inflight.register(AckKey.of(1, "k", 1), "a");
            assertThat(registered(inflight.register(AckKey.of(1, "k", 2), "b"))).isEqualTo(1);
            assertThat(registered(inflight.register(AckKey.of(2, "k", 1), "c"))).isEqualTo(2);
        }

        @Test
        void fullWindowIsRefusedUntilAnAnswerComes() throws ProtocolViolation {
            Inflight<String> inflight = new Inflight<>(2, 0);
            inflight.register(key(1), "a");
            inflight.register(key(2), "b");
            assertThat(inflight.available()).isZero();
            Refused refused = refused(inflight.register(key(3), "c"));
            assertThat(refused.refusal()).isEqualTo(Refusal.WINDOW_FULL);
            assertThat(refused.message()).isEqualTo("the window is full: 2 PUBLISHes are in flight, at most 2");
            assertThat(inflight.nextMessageId()).isEqualTo(2);

            inflight.ack(1);
            assertThat(inflight.available()).isEqualTo(1);
            assertThat(registered(inflight.register(key(3), "c"))).isEqualTo(2);
        }

        @Test
        void windowOfOne() throws ProtocolViolation {
            Inflight<String> inflight = new Inflight<>(1, 4095);
            assertThat(registered(inflight.register(key(1), "a"))).isEqualTo(4095);
            assertThat(refused(inflight.register(key(2), "b")).refusal()).isEqualTo(Refusal.WINDOW_FULL);
            inflight.ack(4095);
            assertThat(registered(inflight.register(key(2), "b"))).isEqualTo(0);
        }

        @Test
        void ackKeyRefusalComesBeforeWindowRefusal() {
            Inflight<String> inflight = new Inflight<>(1, 0);
            inflight.register(key(1), "a");
            assertThat(refused(inflight.register(key(1), "a")).refusal()).isEqualTo(Refusal.ACK_KEY_IN_FLIGHT);
        }

        @Test
        void rejectsNulls() {
            Inflight<String> inflight = new Inflight<>(1, 0);
            assertThatThrownBy(() -> inflight.register(null, "a")).isInstanceOf(NullPointerException.class)
                    .hasMessage("ackKey");
            assertThatThrownBy(() -> inflight.register(key(1), null)).isInstanceOf(NullPointerException.class)
                    .hasMessage("context");
            assertThat(inflight.isEmpty()).isTrue();
        }

        @Test
        void thousandInFlightAtOnceAnsweredInRandomOrder() throws ProtocolViolation {
            Inflight<Integer> inflight = new Inflight<>(1000, 3500);
            Map<Integer, Integer> contextById = new LinkedHashMap<>();
            for (int n = 0; n < 1000; n++) {
                int id = registered(inflight.register(key(n), n));
                assertThat(id).isEqualTo((3500 + n) % 4096);
                contextById.put(id, n);
            }
            assertThat(inflight.size()).isEqualTo(1000);
            assertThat(inflight.available()).isZero();
            assertThat(refused(inflight.register(key(1000), 1000)).refusal()).isEqualTo(Refusal.WINDOW_FULL);

            List<Integer> ids = new ArrayList<>(contextById.keySet());
            Collections.shuffle(ids, new Random(42));
            int answered = 0;
            for (int id : ids) {
                int n = contextById.get(id);
                Settled<Integer> settled = answered % 3 == 0 ? inflight.nack(id, Nack.of("e", "no")) : inflight.ack(id);
                assertThat(settled.messageId()).isEqualTo(id);
                assertThat(settled.context()).isEqualTo(n);
                assertThat(settled.ackKey()).isEqualTo(key(n));
                assertThat(settled.result().ackKey()).isEqualTo(key(n));
                assertThat(settled.result()).isInstanceOf(
                        answered % 3 == 0 ? PublishResult.Nacked.class : PublishResult.Acked.class);
                answered++;
                assertThat(inflight.size()).isEqualTo(1000 - answered);
                assertThat(inflight.isInFlight(id)).isFalse();
                assertThat(inflight.isInFlight(key(n))).isFalse();
            }
            assertThat(inflight.isEmpty()).isTrue();
            assertThat(inflight.available()).isEqualTo(1000);
        }
    }

    @Nested
    class Answers {
        @Test
        void ackReturnsAckKeyContextAndAckedResult() throws ProtocolViolation {
            Inflight<String> inflight = new Inflight<>(10, 17);
            inflight.register(key(1), "ctx");
            Settled<String> settled = inflight.ack(17);
            assertThat(settled).isEqualTo(new Settled<>(17, key(1), "ctx", new PublishResult.Acked(key(1))));
            assertThat(inflight.isEmpty()).isTrue();
        }

        @Test
        void nackReturnsAckKeyContextAndNackedResult() throws ProtocolViolation {
            Inflight<String> inflight = new Inflight<>(10, 17);
            inflight.register(key(1), "ctx");
            Nack nack = Nack.of("E42", "disk full");
            Settled<String> settled = inflight.nack(17, nack);
            assertThat(settled).isEqualTo(new Settled<>(17, key(1), "ctx", new PublishResult.Nacked(key(1), nack)));
            assertThat(inflight.isEmpty()).isTrue();
        }

        @Test
        void ackForAnIdNotInFlightIsAViolation() {
            Inflight<String> inflight = new Inflight<>(10, 16);
            inflight.register(key(1), "ctx");
            assertThatThrownBy(() -> inflight.ack(17)).isInstanceOf(ProtocolViolation.class)
                    .hasMessage("ACK for message id 17 which is not in flight");
            assertThat(inflight.size()).isEqualTo(1);
        }

        @Test
        void nackForAnIdNotInFlightIsAViolation() {
            Inflight<String> inflight = new Inflight<>(10, 0);
            assertThatThrownBy(() -> inflight.nack(4095, Nack.of("", ""))).isInstanceOf(ProtocolViolation.class)
                    .hasMessage("NACK for message id 4095 which is not in flight");
        }

        @Test
        void secondAnswerForTheSameIdIsAViolation() throws ProtocolViolation {
            Inflight<String> inflight = new Inflight<>(10, 5);
            inflight.register(key(1), "ctx");
            inflight.ack(5);
            assertThatThrownBy(() -> inflight.ack(5)).isInstanceOf(ProtocolViolation.class)
                    .hasMessage("ACK for message id 5 which is not in flight");
            assertThatThrownBy(() -> inflight.nack(5, Nack.of("", ""))).isInstanceOf(ProtocolViolation.class)
                    .hasMessage("NACK for message id 5 which is not in flight");
        }

        @Test
        void answerForAnIdNotYetUsedIsAViolation() {
            Inflight<String> inflight = new Inflight<>(10, 5);
            assertThatThrownBy(() -> inflight.ack(5)).isInstanceOf(ProtocolViolation.class);
        }

        @ParameterizedTest
        @ValueSource(ints = {-1, 4096})
        void idOutside12BitsIsAProgrammingError(int id) {
            Inflight<String> inflight = new Inflight<>(10, 5);
            assertThatThrownBy(() -> inflight.ack(id)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("message id must be between 0 and 4095, got " + id);
            assertThatThrownBy(() -> inflight.nack(id, Nack.of("", ""))).isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void nackNeedsANack() {
            Inflight<String> inflight = new Inflight<>(10, 5);
            inflight.register(key(1), "ctx");
            assertThatThrownBy(() -> inflight.nack(5, null)).isInstanceOf(NullPointerException.class);
            assertThat(inflight.size()).isEqualTo(1);
        }
    }

    @Nested
    class Failing {
        @Test
        void failAllReturnsEverythingInSendOrderAndEmpties() throws ProtocolViolation {
            Inflight<String> inflight = new Inflight<>(10, 4093);
            for (int n = 0; n < 6; n++) {
                inflight.register(key(n), "c" + n);
            }
            inflight.ack(4094); // key(1)
            inflight.nack(1, Nack.of("", "")); // key(4)

            List<Settled<String>> failed = inflight.failAll("connection closed by peer");

            assertThat(failed).containsExactly(
                    new Settled<>(4093, key(0), "c0", new PublishResult.Failed(key(0), "connection closed by peer")),
                    new Settled<>(4095, key(2), "c2", new PublishResult.Failed(key(2), "connection closed by peer")),
                    new Settled<>(0, key(3), "c3", new PublishResult.Failed(key(3), "connection closed by peer")),
                    new Settled<>(2, key(5), "c5", new PublishResult.Failed(key(5), "connection closed by peer")));
            assertThat(inflight.isEmpty()).isTrue();
            assertThat(inflight.ackKeys()).isEmpty();
            assertThat(inflight.available()).isEqualTo(10);
            assertThat(inflight.isInFlight(key(0))).isFalse();
            assertThatThrownBy(() -> inflight.ack(4093)).isInstanceOf(ProtocolViolation.class);
        }

        @Test
        void failAllOnEmptyReturnsNothing() {
            assertThat(new Inflight<String>(10, 0).failAll("closed")).isEmpty();
        }

        @Test
        void failAllNeedsAReason() {
            assertThatThrownBy(() -> new Inflight<String>(10, 0).failAll(null))
                    .isInstanceOf(NullPointerException.class);
        }

        @Test
        void ackKeysAreInSendOrder() throws ProtocolViolation {
            Inflight<String> inflight = new Inflight<>(10, 4095);
            for (int n = 0; n < 5; n++) {
                inflight.register(key(n), "c");
            }
            inflight.ack(1); // key(2)
            assertThat(inflight.ackKeys()).containsExactly(key(0), key(1), key(3), key(4));
            inflight.register(key(2), "again");
            assertThat(inflight.ackKeys()).containsExactly(key(0), key(1), key(3), key(4), key(2));
        }

        @Test
        void ackKeysIsACopy() {
            Inflight<String> inflight = new Inflight<>(10, 0);
            inflight.register(key(1), "c");
            List<AckKey> keys = inflight.ackKeys();
            inflight.register(key(2), "c");
            assertThat(keys).containsExactly(key(1));
        }
    }

    /**
     * A window below 4096 alone does not keep an id from being reused: out-of-order answers let the
     * counter come round to a PUBLISH still unanswered. These pin down that it never is.
     */
    @Nested
    class IdReuse {
        @Test
        void oneStalePublishBlocksTheCounterWhenItComesRound() throws ProtocolViolation {
            Inflight<String> inflight = new Inflight<>(2, 0);
            assertThat(registered(inflight.register(STALE, "stale"))).isZero();
            for (int id = 1; id <= 4095; id++) {
                assertThat(registered(inflight.register(key(id), "c"))).isEqualTo(id);
                inflight.ack(id);
            }
            assertThat(inflight.size()).isEqualTo(1);
            assertThat(inflight.nextMessageId()).isZero();
            assertThat(inflight.available()).isZero();

            Refused refused = refused(inflight.register(key(5000), "c"));
            assertThat(refused.refusal()).isEqualTo(Refusal.MESSAGE_ID_IN_USE);
            assertThat(refused.message()).isEqualTo("message id 0 is still in flight (sent 4096 PUBLISHes ago, "
                    + "still unanswered); no PUBLISH can be sent until it is answered");
            assertThat(inflight.nextMessageId()).isZero();

            assertThat(inflight.ack(0).ackKey()).isEqualTo(STALE);
            assertThat(inflight.available()).isEqualTo(2);
            assertThat(registered(inflight.register(key(5000), "c"))).isZero();
        }

        @Test
        void availableCountsIdsLeftBeforeTheOldestInFlight() throws ProtocolViolation {
            Inflight<String> inflight = new Inflight<>(4095, 10);
            inflight.register(key(0), "oldest"); // id 10
            for (int n = 1; n <= 4090; n++) {
                inflight.register(key(n), "c");
                inflight.ack((10 + n) % 4096);
            }
            // next id is 10 + 4091 = 4101 -> 5; ids 5..9 are free before the oldest (10)
            assertThat(inflight.nextMessageId()).isEqualTo(5);
            assertThat(inflight.size()).isEqualTo(1);
            assertThat(inflight.available()).isEqualTo(5);
            for (int n = 0; n < 5; n++) {
                registered(inflight.register(key(10_000 + n), "c"));
            }
            assertThat(inflight.available()).isZero();
            assertThat(refused(inflight.register(key(20_000), "c")).refusal()).isEqualTo(Refusal.MESSAGE_ID_IN_USE);
        }

        @Test
        void fullWindowOf4095WithRandomOrderAnswersNeverCollidesAndStaysSequential() throws ProtocolViolation {
            SplittableRandom random = new SplittableRandom(20_250_101);
            Inflight<Integer> inflight = new Inflight<>(4095, random);
            int expectedNext = inflight.nextMessageId();
            List<Integer> inFlightIds = new ArrayList<>();
            Map<Integer, Integer> model = new LinkedHashMap<>();
            int blocked = 0;
            int n = 0;
            for (int step = 0; step < 60_000; step++) {
                boolean tryRegister = inFlightIds.isEmpty() || (inflight.available() > 0 && random.nextInt(4) != 0)
                        || (inflight.size() < 4095 && random.nextInt(2) == 0);
                if (tryRegister) {
                    Registration registration = inflight.register(key(n), n);
                    if (registration instanceof Registered r) {
                        assertThat(r.messageId()).isEqualTo(expectedNext);
                        assertThat(model).doesNotContainKey(r.messageId());
                        model.put(r.messageId(), n);
                        inFlightIds.add(r.messageId());
                        expectedNext = (expectedNext + 1) % 4096;
                        n++;
                        continue;
                    }
                    Refused refused = (Refused) registration;
                    if (refused.refusal() == Refusal.MESSAGE_ID_IN_USE) {
                        assertThat(model).containsKey(expectedNext);
                        blocked++;
                    } else {
                        assertThat(refused.refusal()).isEqualTo(Refusal.WINDOW_FULL);
                        assertThat(model).hasSize(4095);
                    }
                }
                int index = random.nextInt(inFlightIds.size());
                int id = inFlightIds.get(index);
                inFlightIds.set(index, inFlightIds.get(inFlightIds.size() - 1));
                inFlightIds.remove(inFlightIds.size() - 1);
                assertThat(inflight.ack(id).context()).isEqualTo(model.remove(id));
            }
            assertThat(n).as("PUBLISHes registered").isGreaterThan(3 * 4096);
            assertThat(blocked).as("times the counter met a PUBLISH still in flight").isPositive();
            assertThat(inflight.ackKeys()).hasSize(model.size());
        }
    }

    @Test
    void toStringShowsFillAndNextId() {
        Inflight<String> inflight = new Inflight<>(10, 4095);
        inflight.register(key(1), "c");
        assertThat(inflight).hasToString("Inflight[1/10 in flight, next message id 0]");
    }
}
