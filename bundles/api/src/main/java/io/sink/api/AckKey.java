package io.sink.api;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/** The identity of an event, {@code (event_type_id, key, offset)}: what an ACK acknowledges. */
public final class AckKey {
    private final long eventTypeId;
    private final byte[] key;
    private final long offset;
    private final int hash;

    public AckKey(long eventTypeId, byte[] key, long offset) {
        this.eventTypeId = Limits.requireNonNegative("event_type_id", eventTypeId);
        this.key = Objects.requireNonNull(key, "key").clone();
        this.offset = Limits.requireNonNegative("offset", offset);
        if (key.length > Limits.MAX_PUBLISH_PAYLOAD) {
            throw new IllegalArgumentException("key is " + key.length + " bytes, at most "
                    + Limits.MAX_PUBLISH_PAYLOAD + " fit in a frame");
        }
        this.hash = 31 * (31 * Long.hashCode(eventTypeId) + Arrays.hashCode(key)) + Long.hashCode(offset);
    }

    public static AckKey of(long eventTypeId, String key, long offset) {
        return new AckKey(eventTypeId, key.getBytes(StandardCharsets.UTF_8), offset);
    }

    public long eventTypeId() {
        return eventTypeId;
    }

    /** A copy of the key bytes. */
    public byte[] key() {
        return key.clone();
    }

    public String keyAsString() {
        return new String(key, StandardCharsets.UTF_8);
    }

    public long offset() {
        return offset;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AckKey other && hash == other.hash && eventTypeId == other.eventTypeId
                && offset == other.offset && Arrays.equals(key, other.key);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return "(" + eventTypeId + ", " + printable(key) + ", " + offset + ")";
    }

    /** The key as quoted text when it is printable UTF-8, else as hex. */
    static String printable(byte[] key) {
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(key)).toString();
            if (s.codePoints().allMatch(c -> c >= 0x20 && c != 0x7f)) {
                return "\"" + s + "\"";
            }
        } catch (CharacterCodingException e) {
            // not UTF-8: shown as hex below
        }
        return "0x" + HexFormat.of().formatHex(key);
    }
}
