package io.sink.protocol;

import io.sink.api.ConnectionResponse;
import io.sink.api.InstanceId;
import io.sink.api.Limits;
import io.sink.api.Nack;
import io.sink.protocol.internal.Hex;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * CONNECTION_RESPONSE (type 1): the server's answer, with the server instance id for
 * {@code hello_new_client} and a NACK payload for {@code quarantined}.
 *
 * <p>As in the original, a {@code quarantined} payload is opaque at frame level: the frame keeps its
 * bytes and {@link #nack()} decodes them.
 */
public final class ConnectionResponseFrame implements Frame {
    private static final byte[] EMPTY = new byte[0];
    private static final ConnectionResponseFrame CONNECTED = new ConnectionResponseFrame(
            ConnectionResponse.CONNECTED, null, EMPTY);
    private static final ConnectionResponseFrame INSTANCE_ID_MISMATCH = new ConnectionResponseFrame(
            ConnectionResponse.INSTANCE_ID_MISMATCH, null, EMPTY);
    private static final ConnectionResponseFrame UNSUPPORTED_PROTOCOL_VERSION = new ConnectionResponseFrame(
            ConnectionResponse.UNSUPPORTED_PROTOCOL_VERSION, null, EMPTY);
    private static final ConnectionResponseFrame UNSUPPORTED_APPLICATION_VERSION = new ConnectionResponseFrame(
            ConnectionResponse.UNSUPPORTED_APPLICATION_VERSION, null, EMPTY);

    /** Largest quarantined payload: a frame minus its 1-byte header. */
    public static final int MAX_QUARANTINED_PAYLOAD = Limits.MAX_FRAME_SIZE - 1;

    private final ConnectionResponse response;
    private final InstanceId serverInstanceId;
    private final byte[] payload;

    private ConnectionResponseFrame(ConnectionResponse response, InstanceId serverInstanceId, byte[] payload) {
        this.response = response;
        this.serverInstanceId = serverInstanceId;
        this.payload = payload;
    }

    public static ConnectionResponseFrame connected() {
        return CONNECTED;
    }

    public static ConnectionResponseFrame helloNewClient(InstanceId serverInstanceId) {
        return new ConnectionResponseFrame(ConnectionResponse.HELLO_NEW_CLIENT,
                Objects.requireNonNull(serverInstanceId, "serverInstanceId"), EMPTY);
    }

    public static ConnectionResponseFrame instanceIdMismatch() {
        return INSTANCE_ID_MISMATCH;
    }

    public static ConnectionResponseFrame quarantined(Nack reason) {
        return new ConnectionResponseFrame(ConnectionResponse.QUARANTINED, null, NackPayload.encode(reason));
    }

    /**
     * A quarantined response with these exact payload bytes (normally a NACK payload).
     *
     * @throws IllegalArgumentException when the payload is longer than 65,534 bytes
     */
    public static ConnectionResponseFrame quarantinedPayload(byte[] payload) {
        if (payload.length > MAX_QUARANTINED_PAYLOAD) {
            throw new IllegalArgumentException("quarantined payload is " + payload.length + " bytes, at most "
                    + MAX_QUARANTINED_PAYLOAD + " fit in one frame");
        }
        return new ConnectionResponseFrame(ConnectionResponse.QUARANTINED, null, payload.clone());
    }

    public static ConnectionResponseFrame unsupportedProtocolVersion() {
        return UNSUPPORTED_PROTOCOL_VERSION;
    }

    public static ConnectionResponseFrame unsupportedApplicationVersion() {
        return UNSUPPORTED_APPLICATION_VERSION;
    }

    /**
     * The response for a code without payload.
     *
     * @throws IllegalArgumentException for {@code HELLO_NEW_CLIENT} and {@code QUARANTINED}, which
     *     carry data: use {@link #helloNewClient} and {@link #quarantined}
     */
    public static ConnectionResponseFrame of(ConnectionResponse response) {
        switch (response) {
            case CONNECTED:
                return CONNECTED;
            case INSTANCE_ID_MISMATCH:
                return INSTANCE_ID_MISMATCH;
            case UNSUPPORTED_PROTOCOL_VERSION:
                return UNSUPPORTED_PROTOCOL_VERSION;
            case UNSUPPORTED_APPLICATION_VERSION:
                return UNSUPPORTED_APPLICATION_VERSION;
            default:
                throw new IllegalArgumentException(response.protocolName()
                        + " carries data: use helloNewClient(InstanceId) or quarantined(Nack)");
        }
    }

    @Override
    public MessageType type() {
        return MessageType.CONNECTION_RESPONSE;
    }

    public ConnectionResponse response() {
        return response;
    }

    /** The server's instance id; present exactly for {@code hello_new_client}. */
    public Optional<InstanceId> serverInstanceId() {
        return Optional.ofNullable(serverInstanceId);
    }

    /** A copy of the quarantined payload; empty for every other response. */
    public byte[] payload() {
        return payload.clone();
    }

    int payloadLength() {
        return payload.length;
    }

    void copyPayloadTo(byte[] dst, int off) {
        System.arraycopy(payload, 0, dst, off, payload.length);
    }

    /**
     * The reason of a {@code quarantined} response, decoded from its payload.
     *
     * @throws ProtocolException when the payload is not a NACK payload
     * @throws IllegalStateException when this is not a {@code quarantined} response
     */
    public Nack nack() throws ProtocolException {
        if (response != ConnectionResponse.QUARANTINED) {
            throw new IllegalStateException(response.protocolName() + " carries no NACK");
        }
        return NackPayload.decode(payload, 0, payload.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConnectionResponseFrame other && response == other.response
                && Objects.equals(serverInstanceId, other.serverInstanceId) && Arrays.equals(payload, other.payload);
    }

    @Override
    public int hashCode() {
        return (31 * response.hashCode() + Objects.hashCode(serverInstanceId)) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        switch (response) {
            case HELLO_NEW_CLIENT:
                return "ConnectionResponseFrame[hello_new_client, server=" + serverInstanceId + "]";
            case QUARANTINED:
                return "ConnectionResponseFrame[quarantined, payload=" + Hex.preview(payload) + "]";
            default:
                return "ConnectionResponseFrame[" + response.protocolName() + "]";
        }
    }
}
