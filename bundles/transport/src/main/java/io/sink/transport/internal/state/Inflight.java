package io.sink.transport.internal.state;

import io.sink.api.AckKey;
import io.sink.api.Limits;
import io.sink.api.Nack;
import io.sink.api.PublishResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The PUBLISHes one side has sent on one connection and not yet seen answered (section 7), with
 * the message id counter of that direction.
 *
 * <p>Message ids are 12 bits. The counter starts at a random value and advances by one per
 * registered PUBLISH, wrapping from 4095 to 0, as the original does; nothing else consumes ids.
 * At most {@link #window()} PUBLISHes are in flight, and the same ack key is never in flight twice.
 *
 * <p><b>No id is reused while in flight.</b> A window below 4096 alone does not guarantee that:
 * with ACKs out of order, one PUBLISH left unanswered while 4095 later ones are answered would
 * meet the counter again. Ids are never skipped either (they stay sequential, like the
 * original's), so the window slides over the id space: a PUBLISH is refused with
 * {@link Refusal#MESSAGE_ID_IN_USE} while the next id still belongs to the oldest PUBLISH in flight,
 * and {@link #available()} counts that limit too. In practice this only bites when one PUBLISH is
 * left unanswered for 4096 later ones.
 *
 * <p>In-flight state does not survive a connection: make one instance per connection (each
 * connection and direction has its own counter, starting at a random value).
 *
 * <p>Not thread-safe: used from the connection's event loop only.
 *
 * @param <T> what the caller keeps per PUBLISH, e.g. the future to complete with its result
 */
public final class Inflight<T> {
    /** Number of distinct message ids: 4096. */
    public static final int ID_SPACE = Limits.MAX_MESSAGE_ID + 1;

    private final int window;
    /** In-flight PUBLISHes by message id, in the order they were registered (= sent). */
    private final LinkedHashMap<Integer, Pending<T>> byId = new LinkedHashMap<>();
    private final Map<AckKey, Integer> idByAckKey = new HashMap<>();
    private int nextMessageId;

    /** A PUBLISH was registered under a message id, or refused (see {@link Refused}). */
    public sealed interface Registration {
    }

    /** Send the PUBLISH with this message id. */
    public record Registered(int messageId) implements Registration {
    }

    /** Why a PUBLISH cannot be sent now. */
    public enum Refusal {
        /** {@link Inflight#window()} PUBLISHes are in flight already. */
        WINDOW_FULL,
        /** The same ack key is in flight already on this connection (section 7). */
        ACK_KEY_IN_FLIGHT,
        /** The next message id still belongs to the oldest PUBLISH in flight, sent 4096 ids ago. */
        MESSAGE_ID_IN_USE
    }

    /** The PUBLISH was not registered; nothing changed. {@code message} explains it, for a Failed result. */
    public record Refused(Refusal refusal, String message) implements Registration {
        public Refused {
            Objects.requireNonNull(refusal, "refusal");
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * A PUBLISH that left the in-flight set, with what became of it: {@link PublishResult.Acked},
     * {@link PublishResult.Nacked}, or {@link PublishResult.Failed} when the connection dropped.
     */
    public record Settled<T>(int messageId, AckKey ackKey, T context, PublishResult result) {
        public Settled {
            Objects.requireNonNull(ackKey, "ackKey");
            Objects.requireNonNull(result, "result");
        }
    }

    private record Pending<T>(int messageId, AckKey ackKey, T context) {
    }

    /**
     * @param window how many PUBLISHes may be in flight at once, 1..4095
     * @param random chooses the first message id
     */
    public Inflight(int window, RandomGenerator random) {
        this(window, Objects.requireNonNull(random, "random").nextInt(ID_SPACE));
    }

    /**
     * @param window         how many PUBLISHes may be in flight at once, 1..4095
     * @param firstMessageId the first message id to use, 0..4095 (tests; otherwise random)
     */
    public Inflight(int window, int firstMessageId) {
        if (window < 1 || window > Limits.MAX_WINDOW) {
            throw new IllegalArgumentException("window must be between 1 and " + Limits.MAX_WINDOW
                    + " PUBLISHes in flight, got " + window);
        }
        this.window = window;
        this.nextMessageId = requireMessageId(firstMessageId);
    }

    /**
     * Takes the next message id for a PUBLISH of {@code ackKey}; the caller then sends the PUBLISH
     * with that id. Refused, with nothing changed, when the window is full, when the ack key is
     * in flight already, or when the next id is still in flight.
     */
    public Registration register(AckKey ackKey, T context) {
        Objects.requireNonNull(ackKey, "ackKey");
        Objects.requireNonNull(context, "context");
        Integer existing = idByAckKey.get(ackKey);
        if (existing != null) {
            return new Refused(Refusal.ACK_KEY_IN_FLIGHT,
                    "event " + ackKey + " is already in flight on this connection as message id " + existing);
        }
        if (byId.size() >= window) {
            return new Refused(Refusal.WINDOW_FULL,
                    "the window is full: " + byId.size() + " PUBLISHes are in flight, at most " + window);
        }
        if (byId.containsKey(nextMessageId)) {
            return new Refused(Refusal.MESSAGE_ID_IN_USE, "message id " + nextMessageId
                    + " is still in flight (sent " + ID_SPACE + " PUBLISHes ago, still unanswered); "
                    + "no PUBLISH can be sent until it is answered");
        }
        int messageId = nextMessageId;
        byId.put(messageId, new Pending<>(messageId, ackKey, context));
        idByAckKey.put(ackKey, messageId);
        nextMessageId = (messageId + 1) % ID_SPACE;
        return new Registered(messageId);
    }

    /**
     * The peer ACKed {@code messageId}: removes that PUBLISH from the in-flight set.
     *
     * @throws ProtocolViolation when no PUBLISH with that id is in flight
     */
    public Settled<T> ack(int messageId) throws ProtocolViolation {
        Pending<T> entry = remove("ACK", messageId);
        return new Settled<>(messageId, entry.ackKey(), entry.context(), new PublishResult.Acked(entry.ackKey()));
    }

    /**
     * The peer NACKed {@code messageId}: removes that PUBLISH from the in-flight set.
     *
     * @throws ProtocolViolation when no PUBLISH with that id is in flight
     */
    public Settled<T> nack(int messageId, Nack nack) throws ProtocolViolation {
        Objects.requireNonNull(nack, "nack");
        Pending<T> entry = remove("NACK", messageId);
        return new Settled<>(messageId, entry.ackKey(), entry.context(),
                new PublishResult.Nacked(entry.ackKey(), nack));
    }

    private Pending<T> remove(String frame, int messageId) throws ProtocolViolation {
        requireMessageId(messageId);
        Pending<T> entry = byId.remove(messageId);
        if (entry == null) {
            throw new ProtocolViolation(frame + " for message id " + messageId + " which is not in flight");
        }
        idByAckKey.remove(entry.ackKey());
        return entry;
    }

    /**
     * The connection dropped: empties the in-flight set and returns what was in it, in the order it
     * was sent, each with a {@link PublishResult.Failed} carrying {@code reason}.
     */
    public List<Settled<T>> failAll(String reason) {
        Objects.requireNonNull(reason, "reason");
        List<Settled<T>> failed = new ArrayList<>(byId.size());
        for (Pending<T> entry : byId.values()) {
            failed.add(new Settled<>(entry.messageId(), entry.ackKey(), entry.context(),
                    new PublishResult.Failed(entry.ackKey(), reason)));
        }
        byId.clear();
        idByAckKey.clear();
        return failed;
    }

    /** Number of PUBLISHes in flight. */
    public int size() {
        return byId.size();
    }

    public boolean isEmpty() {
        return byId.isEmpty();
    }

    /** The most PUBLISHes that may be in flight at once. */
    public int window() {
        return window;
    }

    /**
     * How many PUBLISHes {@link #register} would accept now (with distinct ack keys): the room left
     * in the window, and no more than the ids left before the oldest id still in flight.
     */
    public int available() {
        int room = window - byId.size();
        if (byId.isEmpty()) {
            return room;
        }
        int oldest = byId.keySet().iterator().next();
        int freeIds = Math.floorMod(oldest - nextMessageId, ID_SPACE);
        return Math.min(room, freeIds);
    }

    /** The id the next registered PUBLISH gets. */
    public int nextMessageId() {
        return nextMessageId;
    }

    /** Whether a PUBLISH of {@code ackKey} is in flight. */
    public boolean isInFlight(AckKey ackKey) {
        return idByAckKey.containsKey(ackKey);
    }

    /** Whether a PUBLISH with {@code messageId} is in flight. */
    public boolean isInFlight(int messageId) {
        return byId.containsKey(messageId);
    }

    /** The ack keys in flight, in the order they were sent. */
    public List<AckKey> ackKeys() {
        List<AckKey> keys = new ArrayList<>(byId.size());
        for (Pending<T> entry : byId.values()) {
            keys.add(entry.ackKey());
        }
        return keys;
    }

    private static int requireMessageId(int messageId) {
        if (messageId < 0 || messageId > Limits.MAX_MESSAGE_ID) {
            throw new IllegalArgumentException(
                    "message id must be between 0 and " + Limits.MAX_MESSAGE_ID + ", got " + messageId);
        }
        return messageId;
    }

    @Override
    public String toString() {
        return "Inflight[" + byId.size() + "/" + window + " in flight, next message id " + nextMessageId + "]";
    }
}
