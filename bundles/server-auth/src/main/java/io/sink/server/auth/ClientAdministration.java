package io.sink.server.auth;

import io.sink.api.InstanceId;
import io.sink.api.server.ClientRecord;
import java.io.IOException;
import java.util.Optional;
import java.util.SortedSet;
import org.osgi.annotation.versioning.ProviderType;

/**
 * What an operator does to the server's memory of its clients. Meant to be wrapped by thin shell
 * commands: every mutating method returns a one-line description of what it did, fit for printing.
 *
 * <p>Client ids are the names of the allow-list files ({@code <client-id>.pem}): 1 to 128 characters
 * of {@code A-Z a-z 0-9 . _ -}, starting with a letter or digit. A malformed id, or an id the server
 * knows nothing of where the method needs a known client, is refused with an
 * {@link IllegalArgumentException} whose message says why. A client is <em>known</em> when it is on
 * the allow-list or the registry remembers something of it.
 */
@ProviderType
public interface ClientAdministration {

    /**
     * Quarantines a client: from now on its handshakes are answered with {@code quarantined} and this
     * reason, and its live connection, if any, is closed so that it reconnects and receives it. The
     * quarantine is durable before this method returns. Quarantining again replaces the reason.
     *
     * @param clientId     a known client
     * @param machineReason the NACK's machine message (for programs, e.g. an error code; may be empty)
     * @param humanReason  the NACK's human message (may be empty)
     * @return e.g. {@code quarantined alice (machine "stolen", human "reported stolen"); closed its live connection}
     * @throws IllegalArgumentException the id is malformed or unknown, or the reason does not fit a frame
     * @throws IOException              the registry could not be written; nothing changed
     */
    String quarantine(String clientId, String machineReason, String humanReason) throws IOException;

    /**
     * Lifts a client's quarantine; durable before this method returns.
     *
     * @return {@code unquarantined alice}, or {@code alice was not quarantined}
     * @throws IllegalArgumentException the id is malformed or unknown, or its registry record is
     *                                  unreadable (only {@link #forget} clears that)
     * @throws IOException              the registry could not be written; nothing changed
     */
    String unquarantine(String clientId) throws IOException;

    /**
     * Forgets the client instance id remembered for a client, so that a re-imaged device (one without
     * the server's instance id) is greeted as a new client again. A quarantine stays. A device that
     * still has its history will be refused with {@code instance_id_mismatch} afterwards. An
     * unreadable registry record is set aside (renamed with a {@code .unreadable} suffix).
     *
     * @return e.g. {@code forgot client instance id 1234 of alice}, or {@code nothing remembered for alice}
     * @throws IllegalArgumentException the id is malformed
     * @throws IOException              the registry could not be written; nothing changed
     */
    String forget(String clientId) throws IOException;

    /**
     * What the registry remembers of a client: empty when it remembers nothing (neither a client
     * instance id nor a quarantine).
     *
     * @throws IllegalArgumentException the id is malformed
     */
    Optional<ClientRecord> remembered(String clientId);

    /**
     * A one-line description of everything known of a client, e.g.
     * {@code alice: on the allow-list; client instance id 1234 (registered 2026-01-01T00:00:00Z); not quarantined}.
     *
     * @throws IllegalArgumentException the id is malformed
     */
    String describe(String clientId);

    /** The client ids on the allow-list now, sorted; empty when no authenticator of this bundle runs. */
    SortedSet<String> allowedClients();

    /** The client ids the registry remembers something of, sorted. */
    SortedSet<String> rememberedClients();

    /** This server's instance id: created once, kept in the registry's state directory. */
    InstanceId serverInstanceId();
}
