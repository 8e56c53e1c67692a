package io.sink.server.auth.internal;

import io.sink.api.server.SinkServer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Closes a client's live connection, if a server runs and the client has one. */
@FunctionalInterface
interface ConnectionCloser {

    /** A closer that does nothing: no server. */
    ConnectionCloser NONE = (clientId, reason) -> Outcome.NO_SERVER;

    enum Outcome {
        CLOSED("closed its live connection"),
        NOT_CONNECTED("it had no live connection"),
        NO_SERVER("no Sink server runs here to close a connection"),
        FAILED("closing its live connection failed (see the log)");

        private final String description;

        Outcome(String description) {
            this.description = description;
        }

        String description() {
            return description;
        }
    }

    /** Never throws: failures are logged and reported as {@link Outcome#FAILED}. */
    Outcome close(String clientId, String reason);

    /** A closer over the server the supplier gives now (null when there is none). */
    static ConnectionCloser of(Supplier<SinkServer> server) {
        Logger log = LoggerFactory.getLogger(ConnectionCloser.class);
        return (clientId, reason) -> {
            try {
                SinkServer current = server.get();
                if (current == null) {
                    return Outcome.NO_SERVER;
                }
                boolean closed = current.disconnect(clientId, reason);
                if (closed) {
                    log.info("Closed the connection of client {}: {}", clientId, reason);
                }
                return closed ? Outcome.CLOSED : Outcome.NOT_CONNECTED;
            } catch (RuntimeException e) {
                log.error("Closing the connection of client {} ({}) failed", clientId, reason, e);
                return Outcome.FAILED;
            }
        };
    }
}
