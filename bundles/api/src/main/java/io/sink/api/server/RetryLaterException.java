package io.sink.api.server;

/**
 * A {@link ServerHandler} could not take an event for now (its store is full, failing or missing):
 * the event is not stored, and it must be neither ACKed nor NACKed. A NACK would park the client's
 * stream until an operator resumes it; an event left unanswered is sent again by the client on its
 * next connection. A stage of {@link ServerHandler#handlePublish} completed exceptionally with this
 * exception is not answered; the connection is closed (by the handler through
 * {@link SinkServer#disconnect}, or by the transport), so that the client reconnects and re-sends.
 */
public class RetryLaterException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public RetryLaterException(String message) {
        super(message);
    }

    public RetryLaterException(String message, Throwable cause) {
        super(message, cause);
    }
}
