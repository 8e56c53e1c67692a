package io.sink.stress;

import io.sink.api.InstanceId;
import io.sink.protocol.AckFrame;
import io.sink.protocol.ConnectionRequestFrame;
import io.sink.protocol.ConnectionResponseFrame;
import io.sink.protocol.Frame;
import io.sink.protocol.FrameCodec;
import io.sink.protocol.NackFrame;
import io.sink.protocol.PongFrame;
import io.sink.protocol.ProtocolException;
import io.sink.protocol.PublishFrame;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a Sink server must do with the bytes one client sends, by SINK-PROTOCOL.md sections 2, 4, 5,
 * 7 and 10, written independently of the transport: which frames it answers (in order), whether it
 * closes the connection, and how many events it hands to the application first. The server under
 * test admits the fuzzing client, remembers none of its instance ids, and ACKs every event.
 *
 * <p>It also fuzzes the decoder on the way: every frame goes through {@link FrameCodec#decode} (and
 * lazy payloads through {@code event()} / {@code nack()}), and anything but a
 * {@link ProtocolException} coming out fails the test.
 *
 * <p>One race is left open on purpose: frames that follow a CONNECTION_REQUEST in the same burst
 * reach a server that is still deciding (a violation) or has just answered (served) depending on
 * timing; when those two readings disagree the outcome is {@link Verdict#UNDETERMINED}.
 */
final class ServerModel {
    /** Where the connection stands for the client, as far as the bytes sent tell. */
    enum State {
        AWAITING_REQUEST, DECIDING, CONNECTED
    }

    enum Verdict {
        /** The connection stays open in {@link Outcome#state}. */
        OPEN,
        /** The server closes it and logs why at WARN (malformed input or a protocol violation). */
        CLOSE_MALFORMED,
        /** The server answers a refusal (instance id mismatch, unsupported protocol version) and closes. */
        CLOSE_REFUSED,
        /**
         * The server closes, either refusing (when its decision comes first) or for a violation (when
         * the frames after a refused request come first): frames after a request that will be refused.
         */
        CLOSE_EITHER,
        /** Either closed with a reason or open and usable, depending on timing (see the class comment). */
        UNDETERMINED
    }

    /**
     * @param replies   the frames the server sends, hex, in order (for closing verdicts, the ones it may
     *                  send before closing: it may not get to send all of them)
     * @param delivered events handed to the application before the close (or at all, when open)
     * @param reason    why, for messages
     */
    record Outcome(Verdict verdict, State state, List<String> replies, int delivered, String reason) {
    }

    private final String hello;

    ServerModel(InstanceId serverInstanceId) {
        this.hello = hex(ConnectionResponseFrame.helloNewClient(serverInstanceId));
    }

    String hello() {
        return hello;
    }

    static String hex(Frame frame) {
        return FuzzPeer.hex(FrameCodec.encode(frame));
    }

    /**
     * How many zero bytes complete the last frame of {@code stream} (0 when it ends on a frame boundary
     * or the server stops reading earlier, at a zero length prefix).
     */
    static int missingBytes(byte[] stream) {
        int pos = 0;
        while (pos < stream.length) {
            if (stream.length - pos == 1) {
                int length = (stream[pos] & 0xff) << 8; // completed with a zero byte
                return 1 + length;
            }
            int length = ((stream[pos] & 0xff) << 8) | (stream[pos + 1] & 0xff);
            if (length == 0) {
                return 0;
            }
            if (stream.length - pos - 2 < length) {
                return 2 + length - (stream.length - pos);
            }
            pos += 2 + length;
        }
        return 0;
    }

    /** The outcome of {@code stream}, which ends on a frame boundary, sent in {@code initial} state. */
    Outcome run(State initial, byte[] stream) {
        State state = initial;
        List<String> replies = new ArrayList<>();
        int delivered = 0;
        int pos = 0;
        while (pos < stream.length) {
            if (stream.length - pos < 2) {
                throw new IllegalArgumentException("the stream ends inside a length prefix");
            }
            int length = ((stream[pos] & 0xff) << 8) | (stream[pos + 1] & 0xff);
            // While deciding, the server may or may not have answered before it closes.
            List<String> possible = new ArrayList<>(replies);
            if (state == State.DECIDING) {
                possible.add(hello);
            }
            if (length == 0) {
                return close(Verdict.CLOSE_MALFORMED, possible, delivered, "zero-length frame");
            }
            if (stream.length - pos - 2 < length) {
                throw new IllegalArgumentException("the stream ends inside a frame");
            }
            int start = pos + 2;
            pos += 2 + length;
            Frame frame;
            try {
                frame = FrameCodec.decode(stream, start, length);
            } catch (ProtocolException e) {
                if (e.kind() == ProtocolException.Kind.UNSUPPORTED_PROTOCOL_VERSION && state == State.AWAITING_REQUEST) {
                    replies.add(hex(ConnectionResponseFrame.unsupportedProtocolVersion()));
                    return close(Verdict.CLOSE_REFUSED, replies, delivered, "unsupported protocol version");
                }
                return close(Verdict.CLOSE_MALFORMED, possible, delivered, "malformed input (" + e.kind() + "): "
                        + e.getMessage());
            } catch (RuntimeException e) {
                throw new AssertionError("FrameCodec.decode threw " + e + " instead of a ProtocolException on "
                        + FuzzPeer.hex(Arrays.copyOfRange(stream, start, start + length)), e);
            }
            if (state == State.DECIDING) {
                // Still deciding: a violation. Already answered: served. Closed either way, or undetermined.
                Step served = step(State.CONNECTED, frame);
                if (served.closes) {
                    return close(Verdict.CLOSE_MALFORMED, possible, delivered,
                            "a frame before the CONNECTION_RESPONSE that is a violation even after it: " + served.reason);
                }
                return new Outcome(Verdict.UNDETERMINED, State.DECIDING, replies, -1,
                        "a " + frame.type() + " right after the CONNECTION_REQUEST");
            }
            Step step = step(state, frame);
            if (step.closes) {
                if (step.reply != null) {
                    replies.add(step.reply);
                }
                if (step.refused && state == State.AWAITING_REQUEST && hasCompleteFrame(stream, pos)) {
                    // More frames reach the server while it decides: a violation, unless the refusal comes first.
                    return close(Verdict.CLOSE_EITHER, replies, delivered, step.reason + ", then more frames");
                }
                return close(step.refused ? Verdict.CLOSE_REFUSED : Verdict.CLOSE_MALFORMED, replies, delivered,
                        step.reason);
            }
            if (step.reply != null) {
                replies.add(step.reply);
            }
            if (step.delivers) {
                delivered++;
            }
            state = step.next;
        }
        if (state == State.DECIDING) {
            replies.add(hello);
        }
        return new Outcome(Verdict.OPEN, state, replies, delivered, "valid input");
    }

    /** Whether a length prefix (even a zero one) starts at {@code pos}: the server reads on after a frame. */
    private static boolean hasCompleteFrame(byte[] stream, int pos) {
        return stream.length - pos >= 2;
    }

    private static Outcome close(Verdict verdict, List<String> replies, int delivered, String reason) {
        return new Outcome(verdict, null, List.copyOf(replies), delivered, reason);
    }

    private record Step(State next, String reply, boolean delivers, boolean closes, boolean refused, String reason) {
        static Step to(State next, String reply, boolean delivers) {
            return new Step(next, reply, delivers, false, false, null);
        }

        static Step violation(String reason) {
            return new Step(null, null, false, true, false, "protocol violation: " + reason);
        }
    }

    private Step step(State state, Frame frame) {
        switch (state) {
            case AWAITING_REQUEST:
                if (frame instanceof ConnectionRequestFrame request) {
                    if (request.serverInstanceId().isPresent()) {
                        // The server remembers no client instance id for this client: mismatch, code 2.
                        return new Step(null, hex(ConnectionResponseFrame.instanceIdMismatch()), false, true, true,
                                "instance id mismatch");
                    }

                    return Step.to(State.DECIDING, null, false);
                }
                return Step.violation(frame.type() + " before the CONNECTION_REQUEST");
            case CONNECTED:
                switch (frame.type()) {
                    case PING:
                        return Step.to(State.CONNECTED, hex(PongFrame.INSTANCE), false);
                    case PONG:
                        return Step.to(State.CONNECTED, null, false);
                    case PUBLISH: {
                        PublishFrame publish = (PublishFrame) frame;
                        try {
                            publish.event();
                        } catch (ProtocolException e) {
                            return new Step(null, null, false, true, false, "malformed PUBLISH payload (" + e.kind()
                                    + "): " + e.getMessage());
                        } catch (RuntimeException e) {
                            throw new AssertionError("PublishFrame.event() threw " + e, e);
                        }
                        return Step.to(State.CONNECTED, hex(new AckFrame(publish.messageId())), true);
                    }
                    case NACK:
                        try {
                            ((NackFrame) frame).nack();
                        } catch (ProtocolException e) {
                            return new Step(null, null, false, true, false, "malformed NACK payload (" + e.kind()
                                    + "): " + e.getMessage());
                        } catch (RuntimeException e) {
                            throw new AssertionError("NackFrame.nack() threw " + e, e);
                        }
                        return Step.violation("NACK for an id not in flight");
                    case ACK:
                        return Step.violation("ACK for an id not in flight");
                    default:
                        return Step.violation(frame.type() + " after the handshake");
                }
            default:
                throw new IllegalStateException("no step from " + state);
        }
    }
}
