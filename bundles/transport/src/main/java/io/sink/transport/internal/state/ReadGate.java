package io.sink.transport.internal.state;

import io.sink.api.Limits;

/**
 * Whether a connection reads from its peer (section 7's window, enforced on the receiving side).
 * It does not while its outbound buffer is above the high-water mark (a peer that sends PINGs or
 * PUBLISHes but never reads the answers would otherwise grow it without bound), nor while
 * {@code pauseAt} of the peer's PUBLISHes wait for the application's answer (so a fast peer cannot
 * feed the application more than that). A PUBLISH beyond 4095 unanswered ones is a protocol
 * violation: the peer ignored the window every sender must keep below the 4096 message ids.
 *
 * <p>Event loop only. Reading stops at {@code pauseAt} unanswered and starts again at half of it,
 * so a connection at its bound does not toggle reading for every answer.
 */
public final class ReadGate {
    /** Most PUBLISHes a peer may leave unanswered: one per message id in use at once. */
    public static final int MAX_UNANSWERED = Limits.MAX_WINDOW;

    private final int pauseAt;
    private final int resumeAt;
    private boolean writable = true;
    private boolean answersPending;
    private int unanswered;

    /**
     * @param pauseAt stop reading at this many unanswered PUBLISHes, 1..4096; 4096 never stops for
     *                answers (only the 4095 cap applies)
     */
    public ReadGate(int pauseAt) {
        if (pauseAt < 1 || pauseAt > MAX_UNANSWERED + 1) {
            throw new IllegalArgumentException("pauseAt must be between 1 and " + (MAX_UNANSWERED + 1) + ", got "
                    + pauseAt);
        }
        this.pauseAt = pauseAt;
        this.resumeAt = pauseAt / 2;
    }

    /** A PUBLISH arrived and waits for the application. */
    public void publishReceived() throws ProtocolViolation {
        if (unanswered >= MAX_UNANSWERED) {
            throw new ProtocolViolation("more than " + MAX_UNANSWERED + " PUBLISHes unanswered: the peer ignored "
                    + "the window (at most 4095 in flight)");
        }
        unanswered++;
        if (unanswered >= pauseAt) {
            answersPending = true;
        }
    }

    /** The application answered a PUBLISH (the ACK or NACK is written, or the connection is gone). */
    public void answered() {
        if (unanswered > 0) {
            unanswered--;
        }
        if (unanswered <= resumeAt) {
            answersPending = false;
        }
    }

    /** The channel's writability changed (outbound buffer above the high-water mark, or back below the low one). */
    public void writabilityChanged(boolean nowWritable) {
        writable = nowWritable;
    }

    /** Whether the connection should read now. */
    public boolean shouldRead() {
        return writable && !answersPending;
    }

    public int unanswered() {
        return unanswered;
    }

    /** Why reading is paused, for status and the log; empty when reading. */
    public String pauseReason() {
        if (!writable) {
            return "the peer does not read what is sent to it (outbound buffer above its high-water mark)";
        }
        if (answersPending) {
            return unanswered + " PUBLISHes wait for the application's answer";
        }
        return "";
    }
}
