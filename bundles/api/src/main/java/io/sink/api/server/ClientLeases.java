package io.sink.api.server;

import java.util.function.Consumer;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Fleet-wide arbitration of the rule "one live connection per client" between server nodes that
 * share a database: the transport takes the client's lease when it accepts a connection and releases
 * it when the connection ends. As on one node, the newest connection wins: taking a lease another
 * node holds takes it over, and that node then closes its connection (the {@code lost} callback).
 * Optional: a server without this service applies the rule on its own node only.
 *
 * <p>Its methods may block: the transport calls them off the network threads.
 */
@ConsumerType
public interface ClientLeases {

    /**
     * Takes the client's lease for a connection this node has just accepted.
     *
     * @param clientId the authenticated client
     * @param lost     called at most once, on any thread, with a reason when this connection must be
     *                 closed because the lease is gone: taken over by a newer connection of the client
     *                 on another node, the client quarantined through another node, or the lease could
     *                 not be kept (the database unreachable for longer than the lease lasts)
     * @return the lease, to release when the connection ends
     * @throws Exception the lease could not be taken (the transport then closes the connection; the
     *                   client reconnects)
     */
    Lease acquire(String clientId, Consumer<String> lost) throws Exception;

    /** A lease held for one connection. */
    interface Lease {
        /** Gives the lease up (the connection ended); never throws; a second call does nothing. */
        void release();
    }
}
