package io.sink.api.client;

/** An event was refused because the event log reached its configured size limit. */
public class EventLogFullException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public EventLogFullException(String message) {
        super(message);
    }
}
