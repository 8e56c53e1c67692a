package io.sink.protocol.internal;

import io.sink.api.Limits;

/** Argument checks shared by the frame classes: out-of-range values are refused, never truncated. */
public final class Checks {
    private Checks() {
    }

    public static int messageId(int messageId) {
        if (messageId < 0 || messageId > Limits.MAX_MESSAGE_ID) {
            throw new IllegalArgumentException(
                    "message id must be between 0 and " + Limits.MAX_MESSAGE_ID + ", got " + messageId);
        }
        return messageId;
    }

    public static int frameSize(String what, long size) {
        if (size > Limits.MAX_FRAME_SIZE) {
            throw new IllegalArgumentException(what + " would be a " + size + "-byte frame, at most "
                    + Limits.MAX_FRAME_SIZE + " bytes fit in one frame");
        }
        return (int) size;
    }
}
