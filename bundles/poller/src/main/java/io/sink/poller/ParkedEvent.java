package io.sink.poller;

import io.sink.api.Event;
import io.sink.api.Nack;
import io.sink.api.text.Printable;
import java.time.Instant;
import java.util.Objects;

/**
 * An event the server refused, which parks its stream until the stream is resumed.
 *
 * @param stream   the stream it belongs to
 * @param sequence its sequence in the event log it was read from
 * @param event    the event
 * @param nack     the server's reason: machine message (for programs) and human message
 * @param nackedAt when the NACK arrived
 */
public record ParkedEvent(String stream, long sequence, Event event, Nack nack, Instant nackedAt) {
    public ParkedEvent {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(nack, "nack");
        Objects.requireNonNull(nackedAt, "nackedAt");
    }

    @Override
    public String toString() {
        return "stream " + stream + ": event " + event.ackKey() + " (log sequence " + sequence + ") NACKed at "
                + nackedAt + ": machine message " + Printable.quotedBytes(nack.machineMessage()) + ", human message "
                + Printable.quoted(nack.humanMessage(), Printable.MAX_INLINE_BYTES);
    }
}
