package io.sink.protocol;

import io.sink.api.InstanceId;
import io.sink.protocol.internal.Checks;
import io.sink.protocol.internal.Utf8;
import java.util.Objects;
import java.util.Optional;

/**
 * CONNECTION_REQUEST (type 0, protocol version 0): the client's application version, its instance
 * id and, when it knows it, the server's instance id.
 *
 * <p>A request for any other protocol version never becomes a frame: the decoder reports it as
 * {@link ProtocolException.Kind#UNSUPPORTED_PROTOCOL_VERSION} so that the server can answer code 4.
 */
public record ConnectionRequestFrame(String applicationVersion, InstanceId clientInstanceId,
        Optional<InstanceId> serverInstanceId) implements Frame {

    /** The only protocol version there is. */
    public static final int PROTOCOL_VERSION = 0;

    /** @throws IllegalArgumentException when the frame would be larger than 65,535 bytes */
    public ConnectionRequestFrame {
        Objects.requireNonNull(applicationVersion, "applicationVersion");
        Objects.requireNonNull(clientInstanceId, "clientInstanceId");
        Objects.requireNonNull(serverInstanceId, "serverInstanceId");
        int versionBytes = Utf8.encodedLength(applicationVersion);
        Checks.frameSize("a CONNECTION_REQUEST with a " + versionBytes + "-byte application version",
                1L + Chunk.size(versionBytes) + 4 + (serverInstanceId.isPresent() ? 4 : 0));
    }

    /** A request from a client that does not know the server yet. */
    public static ConnectionRequestFrame of(String applicationVersion, InstanceId clientInstanceId) {
        return new ConnectionRequestFrame(applicationVersion, clientInstanceId, Optional.empty());
    }

    /** A request from a client that remembers the server's instance id. */
    public static ConnectionRequestFrame of(String applicationVersion, InstanceId clientInstanceId,
            InstanceId serverInstanceId) {
        return new ConnectionRequestFrame(applicationVersion, clientInstanceId, Optional.of(serverInstanceId));
    }

    @Override
    public MessageType type() {
        return MessageType.CONNECTION_REQUEST;
    }
}
