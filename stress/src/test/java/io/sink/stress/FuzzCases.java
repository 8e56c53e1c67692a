package io.sink.stress;

import io.sink.api.Event;
import io.sink.api.InstanceId;
import io.sink.api.Limits;
import io.sink.api.Nack;
import io.sink.protocol.AckFrame;
import io.sink.protocol.ConnectionRequestFrame;
import io.sink.protocol.ConnectionResponseFrame;
import io.sink.protocol.Frame;
import io.sink.protocol.FrameCodec;
import io.sink.protocol.NackFrame;
import io.sink.protocol.PingFrame;
import io.sink.protocol.PongFrame;
import io.sink.protocol.PublishFrame;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generates the fuzz cases sent to a live server: random bytes, random frames, valid frame
 * sequences, valid sequences with wire-level mutations (bit flips, truncated or extended frames,
 * changed length prefixes and types, duplicated and inserted frames), and targeted attacks (ACK and
 * NACK for unknown ids, second requests, zero and maximal lengths, unsupported versions...).
 *
 * <p>Deterministic: case {@code i} of seed {@code s} is always the same bytes.
 */
final class FuzzCases {
    /** A case: whether the peer does a valid handshake first, the bytes, and where to split the writes. */
    record FuzzCase(long seed, int index, String kind, boolean handshakeFirst, byte[] bytes, int[] splits) {
        @Override
        public String toString() {
            String hex = FuzzPeer.hex(bytes);
            return "case " + index + " of seed " + seed + " (" + kind + ", " + (handshakeFirst ? "after" : "without")
                    + " a handshake, " + bytes.length + " bytes in " + (splits.length + 1) + " writes): "
                    + (hex.length() > 400 ? hex.substring(0, 400) + "..." : hex);
        }
    }

    private final long seed;

    FuzzCases(long seed) {
        this.seed = seed;
    }

    FuzzCase get(int index) {
        SplittableRandom r = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (index + 1)));
        boolean handshakeFirst = r.nextBoolean();
        String kind;
        byte[] bytes;
        int pick = r.nextInt(100);
        if (pick < 18) {
            kind = "random bytes";
            bytes = randomBytes(r, randomLength(r));
        } else if (pick < 32) {
            kind = "random frames";
            List<byte[]> frames = new ArrayList<>();
            for (int i = 1 + r.nextInt(4); i > 0; i--) {
                frames.add(randomFrame(r));
            }
            bytes = concat(frames);
        } else if (pick < 47) {
            kind = "valid frames";
            bytes = concat(validSequence(r, handshakeFirst, false));
        } else if (pick < 82) {
            List<byte[]> frames = validSequence(r, handshakeFirst, true);
            StringBuilder what = new StringBuilder("mutated:");
            for (int i = 1 + r.nextInt(3); i > 0; i--) {
                what.append(' ').append(mutate(r, frames));
            }
            kind = what.toString();
            bytes = concat(frames);
        } else {
            Special special = special(r, handshakeFirst);
            kind = special.name;
            bytes = special.bytes;
        }
        // Completing a partial last frame is the harness's job (ServerModel.missingBytes); splits are over
        // the bytes the generator made, the filler is written last.
        int[] splits = splits(r, bytes.length);
        return new FuzzCase(seed, index, kind, handshakeFirst, bytes, splits);
    }

    // ------------------------------------------------------------------ building blocks

    private static int randomLength(SplittableRandom r) {
        int p = r.nextInt(100);
        if (p < 70) {
            return 1 + r.nextInt(64);
        }
        if (p < 95) {
            return 65 + r.nextInt(2000);
        }
        return 2048 + r.nextInt(70_000);
    }

    private static byte[] randomBytes(SplittableRandom r, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) r.nextInt(256);
        }
        return b;
    }

    private static String ascii(SplittableRandom r, int max) {
        StringBuilder s = new StringBuilder();
        for (int i = r.nextInt(max + 1); i > 0; i--) {
            s.append((char) (' ' + r.nextInt(95)));
        }
        return s.toString();
    }

    static byte[] prefixed(byte[] frame) {
        byte[] out = new byte[frame.length + 2];
        out[0] = (byte) (frame.length >>> 8);
        out[1] = (byte) frame.length;
        System.arraycopy(frame, 0, out, 2, frame.length);
        return out;
    }

    private static byte[] encode(Frame frame) {
        return FrameCodec.encodeWithLengthPrefix(frame);
    }

    /** A frame with a correct length prefix but any type nibble and random content. */
    private static byte[] randomFrame(SplittableRandom r) {
        int length = r.nextInt(10) == 0 ? 1 + r.nextInt(Limits.MAX_FRAME_SIZE) : 1 + r.nextInt(40);
        byte[] frame = randomBytes(r, length);
        if (r.nextBoolean()) {
            frame[0] = (byte) ((r.nextInt(8) << 4) | (frame[0] & 0x0f)); // mostly defined types
        }
        return prefixed(frame);
    }

    static Event event(SplittableRandom r, int maxData) {
        long type = r.nextInt(10) == 0 ? r.nextLong(Long.MAX_VALUE) : r.nextInt(5);
        long schema = r.nextInt(3);
        String key = ascii(r, 24);
        long offset = r.nextInt(10) == 0 ? r.nextLong(Long.MAX_VALUE) : r.nextInt(1_000_000);
        long timestamp = 1_700_000_000L + r.nextInt(1_000_000);
        return Event.of(type, schema, key, offset, timestamp, randomBytes(r, r.nextInt(maxData + 1)));
    }

    private static byte[] publish(SplittableRandom r) {
        return encode(PublishFrame.of(r.nextInt(4096), event(r, 64)));
    }

    static byte[] request(SplittableRandom r, boolean withServerId) {
        String version = r.nextInt(4) == 0 ? ascii(r, 30) : "1.0." + r.nextInt(10);
        InstanceId client = new InstanceId(r.nextLong(Limits.MAX_INSTANCE_ID + 1));
        ConnectionRequestFrame request = withServerId
                ? ConnectionRequestFrame.of(version, client, new InstanceId(r.nextBoolean() ? 777 : r.nextLong(1 << 30)))
                : ConnectionRequestFrame.of(version, client);
        return encode(request);
    }

    private static byte[] response(SplittableRandom r) {
        switch (r.nextInt(4)) {
            case 0:
                return encode(ConnectionResponseFrame.connected());
            case 1:
                return encode(ConnectionResponseFrame.helloNewClient(new InstanceId(r.nextInt(1 << 20))));
            case 2:
                return encode(ConnectionResponseFrame.instanceIdMismatch());
            default:
                return encode(ConnectionResponseFrame.quarantined(Nack.of(ascii(r, 5), ascii(r, 20))));
        }
    }

    private static byte[] nack(SplittableRandom r) {
        return encode(NackFrame.of(r.nextInt(4096), Nack.of(ascii(r, 8), ascii(r, 40))));
    }

    /**
     * Frames a client may send: a request first when there was no handshake (mostly), then PINGs,
     * PONGs and PUBLISHes; with {@code anyFrame}, also what a client must not send (ACK, NACK,
     * requests, responses), for mutations to start from.
     */
    private static List<byte[]> validSequence(SplittableRandom r, boolean handshakeFirst, boolean anyFrame) {
        List<byte[]> frames = new ArrayList<>();
        if (!handshakeFirst && !anyFrame) {
            // A client must wait for the response before it sends anything else.
            frames.add(request(r, r.nextInt(6) == 0));
            return frames;
        }
        if (!handshakeFirst && r.nextInt(5) != 0) {
            frames.add(request(r, r.nextInt(6) == 0));
        }
        for (int i = r.nextInt(6); i > 0; i--) {
            int p = r.nextInt(anyFrame ? 10 : 6);
            switch (p) {
                case 0:
                    frames.add(encode(PingFrame.INSTANCE));
                    break;
                case 1:
                    frames.add(encode(PongFrame.INSTANCE));
                    break;
                case 2:
                case 3:
                case 4:
                case 5:
                    frames.add(publish(r));
                    break;
                case 6:
                    frames.add(encode(new AckFrame(r.nextInt(4096))));
                    break;
                case 7:
                    frames.add(nack(r));
                    break;
                case 8:
                    frames.add(request(r, r.nextBoolean()));
                    break;
                default:
                    frames.add(response(r));
            }
        }
        if (frames.isEmpty()) {
            frames.add(encode(PingFrame.INSTANCE));
        }
        return frames;
    }

    /** Damages the frame list in place; returns what it did. */
    private static String mutate(SplittableRandom r, List<byte[]> frames) {
        int i = r.nextInt(frames.size());
        byte[] f = frames.get(i);
        switch (r.nextInt(9)) {
            case 0: {
                int bit = r.nextInt(f.length * 8);
                f[bit / 8] ^= (byte) (1 << (bit % 8));
                return "bit flip";
            }
            case 1: {
                int body = f.length - 2;
                if (body <= 1) {
                    return "nothing (too short to truncate)";
                }
                frames.set(i, prefixed(Arrays.copyOfRange(f, 2, 2 + 1 + r.nextInt(body - 1))));
                return "truncated frame";
            }
            case 2: {
                byte[] extra = randomBytes(r, 1 + r.nextInt(8));
                byte[] body = concat(List.of(Arrays.copyOfRange(f, 2, f.length), extra));
                if (body.length <= Limits.MAX_FRAME_SIZE) {
                    frames.set(i, prefixed(body));
                }
                return "trailing bytes";
            }
            case 3:
                frames.set(i, concat(List.of(f, randomBytes(r, 1 + r.nextInt(8)))));
                return "bytes after a frame";
            case 4: {
                int body = f.length - 2;
                int length;
                switch (r.nextInt(5)) {
                    case 0:
                        length = 0;
                        break;
                    case 1:
                        length = 0xFFFF;
                        break;
                    case 2:
                        length = Math.max(0, body - 1);
                        break;
                    case 3:
                        length = Math.min(0xFFFF, body + 1);
                        break;
                    default:
                        length = r.nextInt(0x10000);
                }
                f[0] = (byte) (length >>> 8);
                f[1] = (byte) length;
                return "length prefix " + body + " -> " + length;
            }
            case 5:
                if (f.length > 2) {
                    f[2] = (byte) ((r.nextInt(16) << 4) | (f[2] & 0x0f));
                }
                return "type changed";
            case 6:
                frames.add(i, f.clone());
                return "frame duplicated";
            case 7:
                frames.add(r.nextInt(frames.size() + 1), randomFrame(r));
                return "random frame inserted";
            default:
                if (f.length > 3) {
                    f[2] = (byte) ((f[2] & 0xf0) | r.nextInt(16));
                    f[3] = (byte) r.nextInt(256);
                }
                return "message id changed";
        }
    }

    private record Special(String name, byte[] bytes) {
    }

    private static Special special(SplittableRandom r, boolean handshakeFirst) {
        byte[] hello = handshakeFirst ? new byte[0] : request(r, false);
        switch (r.nextInt(17)) {
            case 0:
                return new Special("ACK for an id not in flight", concat(List.of(hello, encode(new AckFrame(r.nextInt(4096))))));
            case 1:
                return new Special("NACK for an id not in flight", concat(List.of(hello, nack(r))));
            case 2:
                return new Special("second CONNECTION_REQUEST", concat(List.of(hello, request(r, r.nextBoolean()))));
            case 3:
                return new Special("CONNECTION_RESPONSE from the client", concat(List.of(hello, response(r))));
            case 4:
                return new Special("zero-length frame", concat(List.of(hello, new byte[2])));
            case 5: {
                byte[] body = randomBytes(r, Limits.MAX_FRAME_SIZE);
                body[0] = (byte) (0x40 | (body[0] & 0x0f));
                return new Special("65,535-byte PUBLISH of random payload", concat(List.of(hello, prefixed(body))));
            }
            case 6:
                return new Special("largest valid PUBLISH", concat(List.of(hello, largestPublish(r))));
            case 7: {
                ConnectionRequestFrame request = ConnectionRequestFrame.of("1.0.0", new InstanceId(r.nextInt(1 << 30)));
                byte[] frame = FrameCodec.encodeConnectionRequest(request, 1 + r.nextInt(15));
                return new Special("unsupported protocol version", prefixed(frame));
            }
            case 8:
                return new Special("request presenting a server instance id", request(r, true));
            case 9:
                return new Special("PING with a payload", concat(List.of(hello, prefixed(new byte[] {0x50, 0, 0}))));
            case 10: {
                byte[] body = new byte[2 + 11];
                body[0] = 0x40;
                Arrays.fill(body, 2, body.length, (byte) 0xff);
                return new Special("overlong varint", concat(List.of(hello, prefixed(body))));
            }
            case 11: {
                List<byte[]> frames = new ArrayList<>(List.of(hello));
                for (int i = 100 + r.nextInt(200); i > 0; i--) {
                    frames.add(encode(PingFrame.INSTANCE));
                }
                return new Special("hundreds of PINGs in one write", concat(frames));
            }
            case 12:
                // Events after the violation in the same write must not reach the application.
                return new Special("PUBLISH after a violation", concat(List.of(hello, publish(r),
                        encode(new AckFrame(r.nextInt(4096))), publish(r), publish(r))));
            case 13:
                return new Special("PUBLISH after a malformed frame", concat(List.of(hello, publish(r),
                        prefixed(new byte[] {0x20, 0}), publish(r))));
            case 14: {
                List<byte[]> frames = new ArrayList<>(List.of(hello));
                for (int i = 50 + r.nextInt(100); i > 0; i--) {
                    frames.add(publish(r));
                }
                return new Special("a burst of valid PUBLISHes", concat(frames));
            }
            case 15: {
                // Every frame after the first violation must be ignored, not logged again and again.
                List<byte[]> frames = new ArrayList<>();
                for (int i = 1000 + r.nextInt(1000); i > 0; i--) {
                    frames.add(encode(PingFrame.INSTANCE));
                }
                return new Special("a thousand PINGs before the handshake", concat(frames));
            }
            default:
                return new Special("length prefix split from its frame", concat(List.of(hello, new byte[] {0})));
        }
    }

    /** A valid PUBLISH whose frame is exactly 65,535 bytes. */
    private static byte[] largestPublish(SplittableRandom r) {
        Event small = Event.of(1, 1, "big", 1 + r.nextInt(1000), 1_700_000_000L, new byte[0]);
        int room = Limits.MAX_PUBLISH_PAYLOAD - small.publishPayloadSize();
        // The data length's varint grows from 1 to 3 bytes: take that out of the room.
        int data = room - (Limits.varintSize(room) - 1);
        Event event = Event.of(1, 1, "big", small.offset(), 1_700_000_000L, randomBytes(r, data));
        while (event.publishPayloadSize() > Limits.MAX_PUBLISH_PAYLOAD) {
            data--;
            event = Event.of(1, 1, "big", small.offset(), 1_700_000_000L, randomBytes(r, data));
        }
        return encode(PublishFrame.of(r.nextInt(4096), event));
    }

    private static int[] splits(SplittableRandom r, int length) {
        if (length < 2 || r.nextInt(3) == 0) {
            return new int[0];
        }
        int[] points = new int[1 + r.nextInt(3)];
        for (int i = 0; i < points.length; i++) {
            points[i] = 1 + r.nextInt(length - 1);
        }
        return Arrays.stream(points).sorted().distinct().toArray();
    }

    static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
