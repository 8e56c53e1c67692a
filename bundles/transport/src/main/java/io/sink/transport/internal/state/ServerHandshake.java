package io.sink.transport.internal.state;

import io.sink.api.ConnectionResponse;
import io.sink.api.InstanceId;
import io.sink.api.Nack;
import io.sink.api.client.ClientInstanceIds;
import io.sink.api.server.ClientRecord;
import io.sink.api.text.Printable;
import java.util.Objects;
import java.util.Optional;

/**
 * The server's answer to a CONNECTION_REQUEST (section 4), as a pure function of what the client
 * presented and what the server remembers of it.
 *
 * <p>Checks, in this order: the application version (code 5), quarantine (code 3, with the
 * quarantine NACK), then the instance ids, where S is what the server remembers and C what the
 * client presented:
 * <ul>
 * <li>{@code connected} when S.client = C.client and S.server = C.server;</li>
 * <li>{@code hello_new_client(S.server)} when C.server is none and S.client is none or equals
 * C.client; the server must then store C.client durably <em>before</em> sending the response
 * ({@link Decision#clientInstanceIdToRegister()}; storing an id the server already holds is
 * harmless, so it is asked for on every {@code hello_new_client});</li>
 * <li>{@code instance_id_mismatch} in every other case.</li>
 * </ul>
 * An unsupported protocol version (code 4) is found while decoding the request; see
 * {@link #unsupportedProtocolVersion(int)}.
 *
 * <p>Afterwards ({@link Decision#serverCloses()}): the server serves a connection answered
 * {@code connected} or {@code hello_new_client}, and closes after sending codes 2, 4 and 5. After
 * {@code quarantined} it keeps the connection open without serving it, as the original does: the
 * client must close it; any frame it sends anyway is a protocol violation
 * ({@link ServerSession}), and the keepalive's dead-connection check closes it if the client just
 * stays silent.
 */
public final class ServerHandshake {
    /** The only protocol version there is. */
    public static final int PROTOCOL_VERSION = 0;

    private ServerHandshake() {
    }

    /**
     * What to answer, and what to do before and after answering.
     *
     * @param response                   the response to send
     * @param serverInstanceId           S.server, sent with {@code hello_new_client}; empty otherwise
     * @param quarantine                 the reason sent with {@code quarantined}; empty otherwise
     * @param clientInstanceIdToRegister the client instance id the server must store durably before
     *                                   sending the response; present only with {@code hello_new_client}
     * @param serverCloses               whether the server closes the connection once the response is sent
     * @param reason                     why, in words, for the log
     */
    public record Decision(ConnectionResponse response, Optional<InstanceId> serverInstanceId,
            Optional<Nack> quarantine, Optional<InstanceId> clientInstanceIdToRegister, boolean serverCloses,
            String reason) {
        public Decision {
            Objects.requireNonNull(response, "response");
            Objects.requireNonNull(serverInstanceId, "serverInstanceId");
            Objects.requireNonNull(quarantine, "quarantine");
            Objects.requireNonNull(clientInstanceIdToRegister, "clientInstanceIdToRegister");
            Objects.requireNonNull(reason, "reason");
            boolean hello = response == ConnectionResponse.HELLO_NEW_CLIENT;
            if (hello != serverInstanceId.isPresent() || hello != clientInstanceIdToRegister.isPresent()) {
                throw new IllegalArgumentException("hello_new_client, and only it, carries the server instance id"
                        + " and registers the client instance id: " + response.protocolName() + " with "
                        + serverInstanceId + " and " + clientInstanceIdToRegister);
            }
            if ((response == ConnectionResponse.QUARANTINED) != quarantine.isPresent()) {
                throw new IllegalArgumentException("quarantined, and only it, carries a NACK: "
                        + response.protocolName() + " with " + quarantine);
            }
            boolean closes = response == ConnectionResponse.INSTANCE_ID_MISMATCH
                    || response == ConnectionResponse.UNSUPPORTED_PROTOCOL_VERSION
                    || response == ConnectionResponse.UNSUPPORTED_APPLICATION_VERSION;
            if (serverCloses != closes) {
                throw new IllegalArgumentException("the server " + (closes ? "closes" : "does not close")
                        + " after " + response.protocolName());
            }
        }

        /** Whether the connection is up once the response is sent. */
        public boolean connected() {
            return response.isConnected();
        }
    }

    /**
     * Decides the answer to a CONNECTION_REQUEST.
     *
     * @param applicationVersion         the application version the client presented (for the reason)
     * @param presented                  C.client and C.server, as the client presented them
     * @param record                     what the server remembers of the client: S.server, S.client, quarantine
     * @param applicationVersionAccepted whether the server's policy accepts the application version
     */
    public static Decision decide(String applicationVersion, ClientInstanceIds presented, ClientRecord record,
            boolean applicationVersionAccepted) {
        Objects.requireNonNull(applicationVersion, "applicationVersion");
        Objects.requireNonNull(presented, "presented");
        Objects.requireNonNull(record, "record");
        if (!applicationVersionAccepted) {
            return new Decision(ConnectionResponse.UNSUPPORTED_APPLICATION_VERSION, Optional.empty(),
                    Optional.empty(), Optional.empty(), true,
                    "application version " + Printable.quoted(applicationVersion) + " is not accepted");
        }
        if (record.quarantine().isPresent()) {
            Nack nack = record.quarantine().get();
            return new Decision(ConnectionResponse.QUARANTINED, Optional.empty(), Optional.of(nack),
                    Optional.empty(), false, "the client is quarantined: " + nack);
        }
        InstanceId serverId = record.serverInstanceId();
        Optional<InstanceId> rememberedClient = record.clientInstanceId();
        InstanceId clientId = presented.client();
        Optional<InstanceId> presentedServer = presented.server();
        boolean sameClient = rememberedClient.isPresent() && rememberedClient.get().equals(clientId);
        if (presentedServer.isPresent()) {
            if (sameClient && presentedServer.get().equals(serverId)) {
                return new Decision(ConnectionResponse.CONNECTED, Optional.empty(), Optional.empty(),
                        Optional.empty(), false, "instance ids match (client " + clientId + ", server " + serverId + ")");
            }
        } else if (rememberedClient.isEmpty() || sameClient) {
            return new Decision(ConnectionResponse.HELLO_NEW_CLIENT, Optional.of(serverId), Optional.empty(),
                    Optional.of(clientId), false, "the client does not know this server yet (client instance id "
                            + clientId + ", server instance id " + serverId + ")");
        }
        return new Decision(ConnectionResponse.INSTANCE_ID_MISMATCH, Optional.empty(), Optional.empty(),
                Optional.empty(), true, "instance ids do not match: the client presented client instance id "
                        + clientId + " and server instance id " + presentedServer.map(InstanceId::toString).orElse("none")
                        + ", the server remembers client instance id "
                        + rememberedClient.map(InstanceId::toString).orElse("none") + " and server instance id "
                        + serverId);
    }

    /** Whether this server speaks {@code protocolVersion} (only version 0 exists). */
    public static boolean isSupportedProtocolVersion(int protocolVersion) {
        return protocolVersion == PROTOCOL_VERSION;
    }

    /**
     * The answer to a CONNECTION_REQUEST whose protocol version is not supported (the decoder found
     * it): code 4, then the server closes.
     */
    public static Decision unsupportedProtocolVersion(int requestedVersion) {
        if (isSupportedProtocolVersion(requestedVersion)) {
            throw new IllegalArgumentException("protocol version " + requestedVersion + " is supported");
        }
        return new Decision(ConnectionResponse.UNSUPPORTED_PROTOCOL_VERSION, Optional.empty(), Optional.empty(),
                Optional.empty(), true, "protocol version " + requestedVersion + " is not supported (only "
                        + PROTOCOL_VERSION + ")");
    }
}
