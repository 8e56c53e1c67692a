package io.sink.api;

import io.sink.api.text.Printable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * The reason a PUBLISH was refused: a machine message (bytes for programs, e.g. an error code)
 * and a human message (text for people). Both may be empty. Also the payload of a
 * {@code quarantined} connection response.
 */
public final class Nack {
    private final byte[] machineMessage;
    private final String humanMessage;

    public Nack(byte[] machineMessage, String humanMessage) {
        this.machineMessage = Objects.requireNonNull(machineMessage, "machineMessage").clone();
        this.humanMessage = Objects.requireNonNull(humanMessage, "humanMessage");
        int size = Limits.chunkSize(machineMessage.length) + humanMessage.getBytes(StandardCharsets.UTF_8).length;
        if (size > Limits.MAX_PUBLISH_PAYLOAD) {
            throw new IllegalArgumentException("NACK is too large for one frame: its payload would be " + size
                    + " bytes, at most " + Limits.MAX_PUBLISH_PAYLOAD + " fit");
        }
    }

    public static Nack of(String machineMessage, String humanMessage) {
        return new Nack(machineMessage.getBytes(StandardCharsets.UTF_8), humanMessage);
    }

    /** A copy of the machine message. */
    public byte[] machineMessage() {
        return machineMessage.clone();
    }

    /** The machine message read as UTF-8. */
    public String machineMessageAsString() {
        return new String(machineMessage, StandardCharsets.UTF_8);
    }

    public String humanMessage() {
        return humanMessage;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Nack other && Arrays.equals(machineMessage, other.machineMessage)
                && humanMessage.equals(other.humanMessage);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(machineMessage) + humanMessage.hashCode();
    }

    /** The NACK for logs and terminals: both messages escaped ({@link Printable}). */
    @Override
    public String toString() {
        return "Nack[machine=" + Printable.quotedBytes(machineMessage) + ", human="
                + Printable.quoted(humanMessage, Printable.MAX_INLINE_BYTES) + "]";
    }
}
