package io.sink.api;

import java.util.Objects;

/** What became of one published event: acknowledged, refused with a NACK, or not delivered. */
public sealed interface PublishResult {

    /** The event this result is about. */
    AckKey ackKey();

    /** The peer ACKed the event: it may be marked delivered. */
    record Acked(AckKey ackKey) implements PublishResult {
        public Acked {
            Objects.requireNonNull(ackKey, "ackKey");
        }
    }

    /** The peer NACKed the event with a reason. */
    record Nacked(AckKey ackKey, Nack nack) implements PublishResult {
        public Nacked {
            Objects.requireNonNull(ackKey, "ackKey");
            Objects.requireNonNull(nack, "nack");
        }
    }

    /**
     * The event was not answered, e.g. the connection dropped before the ACK came; it is still
     * undelivered and must be sent again.
     */
    record Failed(AckKey ackKey, String reason) implements PublishResult {
        public Failed {
            Objects.requireNonNull(ackKey, "ackKey");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
