package io.sink.protocol;

import io.sink.protocol.internal.Checks;

/** ACK (type 3): the PUBLISH with this message id was received and processed. Exactly 2 bytes. */
public record AckFrame(int messageId) implements Frame {
    /** @throws IllegalArgumentException when {@code messageId} is not within 0..4095 */
    public AckFrame {
        Checks.messageId(messageId);
    }

    @Override
    public MessageType type() {
        return MessageType.ACK;
    }
}
