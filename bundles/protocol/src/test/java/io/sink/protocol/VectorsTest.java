package io.sink.protocol;

import static io.sink.protocol.testing.Rejections.rejects;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.sink.api.ConnectionResponse;
import io.sink.api.Event;
import io.sink.api.InstanceId;
import io.sink.api.Nack;
import io.sink.protocol.ProtocolException.Kind;
import io.sink.protocol.etf.SensorReading;
import io.sink.protocol.etf.SensorReadingCodec;
import io.sink.protocol.testing.Vectors;
import io.sink.protocol.testing.Vectors.Vector;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs every line of the shared golden vectors, read in place, by the rules of
 * {@code shared/protocol/README.md}.
 */
class VectorsTest {
    private static final BigInteger MAX_U64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    private static final Set<String> KINDS = Set.of("leb128", "zigzag_leb128", "chunk", "payload_publish",
            "payload_nack", "frame", "encode_quirk", "batch", "snapshot", "decode_reject", "decode_ok", "etf_reading",
            "etf_reading_decode");
    private static final AtomicInteger RAN = new AtomicInteger();

    static Stream<Arguments> vectors() {
        return Vectors.load().stream().map(v -> Arguments.of(Named.of(v.name(), v)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void vector(Vector v) throws Exception {
        RAN.incrementAndGet();
        switch (v.kind()) {
            case "leb128" -> leb128(v);
            case "zigzag_leb128" -> zigzag(v);
            case "chunk" -> chunk(v);
            case "payload_publish" -> payloadPublish(v);
            case "payload_nack" -> payloadNack(v);
            case "frame" -> frame(v);
            case "encode_quirk" -> encodeQuirk(v);
            case "batch" -> batch(v);
            case "snapshot" -> snapshot(v);
            case "decode_reject" -> decodeReject(v);
            case "decode_ok" -> decodeOk(v);
            case "etf_reading" -> etfReading(v);
            case "etf_reading_decode" -> etfReadingDecode(v);
            default -> fail("vector " + v.name() + " (line " + v.line() + ") has unknown kind " + v.kind());
        }
    }

    @Test
    void everyLineIsAVectorOfAKnownKind() {
        List<Vector> vectors = Vectors.load();
        assertThat((long) vectors.size()).isEqualTo(Vectors.vectorLineCount()).isGreaterThanOrEqualTo(170);
        assertThat(vectors).allSatisfy(v -> assertThat(KINDS).contains(v.kind()));
        assertThat(vectors.stream().map(Vector::name).distinct().count()).isEqualTo(vectors.size());
    }

    @AfterAll
    static void noVectorWasSkipped() {
        assertThat((long) RAN.get()).as("vectors run").isEqualTo(Vectors.vectorLineCount());
    }

    // ------------------------------------------------------------------ kinds

    private static void leb128(Vector v) throws Exception {
        BigInteger value = new BigInteger(string(v.json(), "value"));
        if (value.compareTo(MAX_U64) > 0) {
            assertThatThrownBy(() -> Varint.encode(value)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("2^64-1");
            rejects(Kind.VALUE_OUT_OF_RANGE, () -> Varint.decode(v.bytes()));
            return;
        }
        long unsigned = Varint.toUnsignedLong(value);
        assertThat(hex(Varint.encode(unsigned))).isEqualTo(v.hex());
        assertThat(hex(Varint.encode(value))).isEqualTo(v.hex());
        assertThat(Varint.size(unsigned)).isEqualTo(v.bytes().length);
        Varint.Decoded decoded = Varint.decode(v.bytes());
        assertThat(decoded.unsignedValue()).isEqualTo(value);
        assertThat(decoded.length()).isEqualTo(v.bytes().length);
    }

    private static void zigzag(Vector v) throws Exception {
        long signed = new BigInteger(string(v.json(), "value")).longValueExact();
        BigInteger zigzag = new BigInteger(string(v.json(), "zigzag"));
        assertThat(Varint.toUnsignedBigInteger(Zigzag.encode(signed))).isEqualTo(zigzag);
        assertThat(hex(Varint.encode(Zigzag.encode(signed)))).isEqualTo(v.hex());
        assertThat(Zigzag.decode(Varint.decode(v.bytes()).value())).isEqualTo(signed);
    }

    private static void chunk(Vector v) throws Exception {
        byte[] data = bytes(v.json(), "data_hex");
        assertThat(hex(Chunk.encode(data))).isEqualTo(v.hex());
        Chunk.Decoded decoded = Chunk.decode(v.bytes());
        assertThat(decoded.data()).isEqualTo(data);
        assertThat(decoded.length()).isEqualTo(v.bytes().length);
    }

    private static void payloadPublish(Vector v) throws Exception {
        Event event = event(v.json());
        assertThat(hex(PublishPayload.encode(event))).isEqualTo(v.hex());
        assertThat(PublishPayload.size(event)).isEqualTo(v.bytes().length);
        assertThat(PublishPayload.decode(v.bytes())).isEqualTo(event);
    }

    private static void payloadNack(Vector v) throws Exception {
        Nack nack = nack(v.json());
        assertThat(hex(NackPayload.encode(nack))).isEqualTo(v.hex());
        assertThat(NackPayload.size(nack)).isEqualTo(v.bytes().length);
        assertThat(NackPayload.decode(v.bytes())).isEqualTo(nack);
    }

    private static void frame(Vector v) throws Exception {
        Map<String, Object> j = v.json();
        if ("connection_request".equals(j.get("type")) && number(j, "protocol_version").intValueExact() != 0) {
            // The encoder can write another version (to test servers); the decoder refuses it as unsupported.
            ConnectionRequestFrame request = connectionRequest(j);
            assertThat(hex(FrameCodec.encodeConnectionRequest(request, number(j, "protocol_version").intValueExact())))
                    .isEqualTo(v.hex());
            rejects(Kind.UNSUPPORTED_PROTOCOL_VERSION, () -> FrameCodec.decode(v.bytes()));
            return;
        }
        Frame frame = frameOf(j);
        assertThat(hex(FrameCodec.encode(frame))).isEqualTo(v.hex());
        assertThat(FrameCodec.encodedSize(frame)).isEqualTo(v.bytes().length);
        Frame decoded = FrameCodec.decode(v.bytes());
        assertThat(decoded).isEqualTo(frame);
        assertThat(decoded.type().code()).isEqualTo(number(j, "type_code", decoded.type().code()));
        String prefix = (String) v.extraObject().get("packet2_prefix_hex");
        if (prefix != null) {
            assertThat(hex(FrameCodec.encodeWithLengthPrefix(frame))).isEqualTo(prefix + v.hex());
            assertThat(FrameCodec.decodeWithLengthPrefix(unhex(prefix + v.hex()), 0, v.bytes().length + 2))
                    .isEqualTo(frame);
        }
        // The semantic forms: events, NACKs and quarantine reasons built from values encode the same bytes.
        switch ((String) j.get("type")) {
            case "publish" -> {
                PublishFrame publish = (PublishFrame) decoded;
                if (j.containsKey("event")) {
                    Event event = event(object(j, "event"));
                    assertThat(publish.event()).isEqualTo(event);
                    assertThat(hex(FrameCodec.encode(PublishFrame.of(publish.messageId(), event)))).isEqualTo(v.hex());
                } else {
                    assertThat(publish.hasValidEvent()).isFalse();
                    rejects(Kind.MALFORMED_FRAME, publish::event);
                }
            }
            case "nack" -> {
                NackFrame nackFrame = (NackFrame) decoded;
                Nack nack = nack(j);
                assertThat(nackFrame.nack()).isEqualTo(nack);
                assertThat(hex(FrameCodec.encode(NackFrame.of(nackFrame.messageId(), nack)))).isEqualTo(v.hex());
            }
            case "connection_response" -> {
                ConnectionResponseFrame response = (ConnectionResponseFrame) decoded;
                assertThat(response.response().code()).isEqualTo(number(j, "response_code").intValueExact());
                if (response.response() == ConnectionResponse.QUARANTINED && j.containsKey("machine_message_hex")) {
                    Nack nack = nack(j);
                    assertThat(response.nack()).isEqualTo(nack);
                    assertThat(hex(FrameCodec.encode(ConnectionResponseFrame.quarantined(nack)))).isEqualTo(v.hex());
                }
            }
            default -> {
                // ack, ping, pong, connection_request: fully compared above
            }
        }
    }

    private static void encodeQuirk(Vector v) {
        Map<String, Object> j = v.json();
        if (!j.containsKey("type")) {
            BigInteger value = new BigInteger(string(j, "value"));
            assertThatThrownBy(() -> Varint.encode(value)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("between 0 and 2^64-1");
            return;
        }
        // The original truncates these values to v.hex(); we refuse to build or encode such a frame at all.
        assertThatThrownBy(() -> FrameCodec.encode(frameOf(j))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageMatching("(?s).*(message id|instance id).* between 0 and \\d+, got -?\\d+.*");
    }

    private static void batch(Vector v) throws Exception {
        List<Event> events = events(v.json().get("events"));
        Map<String, Object> extra = v.extraObject();
        byte[] header = unhex(string(extra, "header_hex"));
        byte[] body = unhex(string(extra, "body_hex"));
        byte[] encoded = Batch.encode(events);
        assertThat(hex(java.util.Arrays.copyOf(encoded, Math.min(encoded.length, header.length))))
                .as("header").isEqualTo(hex(header));
        boolean compressed = (boolean) extra.get("compressed");
        assertThat((encoded[0] & Batch.FLAG_COMPRESSED) != 0).as("compressed flag").isEqualTo(compressed);
        @SuppressWarnings("unchecked")
        Map<String, Object> flags = (Map<String, Object>) extra.get("flags");
        assertThat(flag(encoded[0], Batch.FLAG_EVENT_TYPE_ID)).isEqualTo(flags.get("event_type_id"));
        assertThat(flag(encoded[0], Batch.FLAG_SCHEMA_VERSION)).isEqualTo(flags.get("schema_version"));
        assertThat(flag(encoded[0], Batch.FLAG_KEY_LENGTH)).isEqualTo(flags.get("key_length"));
        assertThat(flag(encoded[0], Batch.FLAG_OFFSET_DELTA)).isEqualTo(flags.get("offset"));
        assertThat(flag(encoded[0], Batch.FLAG_TIMESTAMP_DELTA)).isEqualTo(flags.get("timestamp"));
        assertThat(flag(encoded[0], Batch.FLAG_EVENT_DATA_LENGTH)).isEqualTo(flags.get("event_data_length"));
        byte[] ourBody = java.util.Arrays.copyOfRange(encoded, header.length, encoded.length);
        if (compressed) {
            assertThat(hex(ourBody, 10)).as("gzip header as :zlib.gzip writes it").isEqualTo("1f8b0800000000000003");
            assertThat(hex(gunzip(ourBody))).as("our gunzipped body").isEqualTo(hex(body));
            assertThat(hex(gunzip(java.util.Arrays.copyOfRange(v.bytes(), header.length, v.bytes().length))))
                    .as("the original's gunzipped body").isEqualTo(hex(body));
        } else {
            assertThat(hex(encoded)).isEqualTo(v.hex());
        }
        assertThat(Batch.decode(v.bytes())).isEqualTo(events);
        assertThat(Batch.decode(encoded)).isEqualTo(events);
    }

    private static void snapshot(Vector v) throws Exception {
        List<List<Event>> batches = new ArrayList<>();
        for (Object batch : (List<?>) v.json().get("batches")) {
            batches.add(events(batch));
        }
        assertThat(hex(Snapshot.encode(batches))).isEqualTo(v.hex());
        assertThat(Snapshot.decode(v.bytes())).isEqualTo(batches);
    }

    private static void decodeReject(Vector v) {
        String function = string(v.json(), "function");
        byte[] in = v.bytes();
        switch (function) {
            case "Protocol.decode_frame" -> {
                Kind kind = v.json().toString().contains("unsupported_protocol_version")
                        ? Kind.UNSUPPORTED_PROTOCOL_VERSION : Kind.MALFORMED_FRAME;
                rejects(kind, () -> FrameCodec.decode(in));
                byte[] prefixed = new byte[in.length + 2];
                prefixed[0] = (byte) (in.length >>> 8);
                prefixed[1] = (byte) in.length;
                System.arraycopy(in, 0, prefixed, 2, in.length);
                rejects(kind, () -> FrameCodec.decodeWithLengthPrefix(prefixed, 0, prefixed.length));
            }
            case "Protocol.decode_payload(:publish)" -> {
                rejects(Kind.MALFORMED_FRAME, () -> PublishPayload.decode(in));
                PublishFrame frame = PublishFrame.ofPayload(1, in);
                assertThat(frame.hasValidEvent()).isFalse();
                rejects(Kind.MALFORMED_FRAME, frame::event);
            }
            case "Protocol.decode_payload(:nack)" -> {
                rejects(Kind.MALFORMED_FRAME, () -> NackPayload.decode(in));
                rejects(Kind.MALFORMED_FRAME, NackFrame.ofPayload(1, in)::nack);
                rejects(Kind.MALFORMED_FRAME, ConnectionResponseFrame.quarantinedPayload(in)::nack);
            }
            case "Varint.LEB128.decode" -> rejects(Kind.MALFORMED_FRAME, () -> Varint.decode(in));
            case "Batch.decode" -> {
                rejects(Kind.MALFORMED_BATCH, () -> Batch.decode(in));
                rejects(Kind.MALFORMED_BATCH, () -> Snapshot.decode(Chunk.encode(in)));
            }
            default -> fail("decode_reject vector " + v.name() + " names an unknown function " + function);
        }
    }

    private static void decodeOk(Vector v) throws Exception {
        String function = string(v.json(), "function");
        String value = string(v.json(), "value");
        switch (function) {
            case "Protocol.decode_frame" -> decodeOkFrame(v, object(v.json(), "frame"));
            case "Varint.LEB128.decode" -> {
                Matcher m = Pattern.compile("\\{(\\d+), (.*)\\}").matcher(value);
                assertThat(m.matches()).as("value %s", value).isTrue();
                BigInteger expected = new BigInteger(m.group(1));
                byte[] rest = elixirBinary(m.group(2));
                if (expected.compareTo(MAX_U64) > 0) {
                    // Accepted by the arbitrary-precision original; beyond what Java holds, so refused.
                    rejects(Kind.VALUE_OUT_OF_RANGE, () -> Varint.decode(v.bytes()));
                    return;
                }
                Varint.Decoded decoded = Varint.decode(v.bytes());
                assertThat(decoded.unsignedValue()).isEqualTo(expected);
                assertThat(decoded.length()).isEqualTo(v.bytes().length - rest.length);
                assertThat(hex(java.util.Arrays.copyOfRange(v.bytes(), decoded.length(), v.bytes().length)))
                        .isEqualTo(hex(rest));
            }
            case "Protocol.decode_payload(:publish)" -> {
                Map<String, String> fields = elixirStruct(value);
                Event expected = new Event(Long.parseLong(fields.get("event_type_id")),
                        Long.parseLong(fields.get("schema_version")), elixirBinary(fields.get("key")),
                        Long.parseLong(fields.get("offset")), Long.parseLong(fields.get("timestamp")),
                        elixirBinary(fields.get("event_data")));
                assertThat(PublishPayload.decode(v.bytes())).isEqualTo(expected);
                PublishFrame frame = PublishFrame.ofPayload(9, v.bytes());
                assertThat(frame.event()).isEqualTo(expected);
                assertThat(frame.payload()).as("non-minimal payload kept as received").isEqualTo(v.bytes());
                assertThat(FrameCodec.encode(frame)).endsWith(v.bytes());
            }
            case "Protocol.decode_payload(:nack)" -> {
                Matcher m = Pattern.compile("\\{(\".*\"), (\".*\")\\}").matcher(value);
                assertThat(m.matches()).as("value %s", value).isTrue();
                Nack expected = new Nack(elixirBinary(m.group(1)),
                        new String(elixirBinary(m.group(2)), StandardCharsets.UTF_8));
                assertThat(NackPayload.decode(v.bytes())).isEqualTo(expected);
            }
            default -> fail("decode_ok vector " + v.name() + " names an unknown function " + function);
        }
    }

    private static void decodeOkFrame(Vector v, Map<String, Object> expected) throws Exception {
        Frame frame = FrameCodec.decode(v.bytes());
        assertThat(frame.type().code()).isEqualTo(number(expected, "type_code", frame.type().code()));
        switch (string(expected, "type")) {
            case "ping" -> assertThat(frame).isSameAs(PingFrame.INSTANCE);
            case "pong" -> assertThat(frame).isSameAs(PongFrame.INSTANCE);
            case "publish" -> {
                PublishFrame publish = (PublishFrame) frame;
                assertThat(publish.messageId()).isEqualTo(number(expected, "message_id").intValueExact());
                assertThat(hex(publish.payload())).isEqualTo(string(expected, "payload_hex"));
                // Accepted at frame level as by the original; the payload decode then fails.
                rejects(Kind.MALFORMED_FRAME, publish::event);
            }
            case "connection_response" -> {
                ConnectionResponseFrame response = (ConnectionResponseFrame) frame;
                assertThat(response.response().protocolName()).isEqualTo(string(expected, "response"));
                assertThat(response.response().code()).isEqualTo(number(expected, "response_code").intValueExact());
                assertThat(hex(response.payload())).isEqualTo(string(expected, "payload_hex"));
                // The client reads the payload as a NACK; neither of these is one.
                rejects(Kind.MALFORMED_FRAME, response::nack);
            }
            case "connection_request" -> assertThat(frame).isEqualTo(connectionRequest(expected));
            default -> fail("decode_ok frame of unknown type " + expected);
        }
    }

    private static void etfReading(Vector v) throws Exception {
        SensorReading reading = reading(v.json());
        assertThat(hex(SensorReadingCodec.encode(reading))).isEqualTo(v.hex());
        assertThat(SensorReadingCodec.encodedSize(reading)).isEqualTo(v.bytes().length);
        assertThat(SensorReadingCodec.decode(v.bytes())).isEqualTo(reading);
    }

    private static void etfReadingDecode(Vector v) throws Exception {
        assertThat(SensorReadingCodec.decode(v.bytes())).isEqualTo(reading(v.json()));
    }

    // ------------------------------------------------------------------ building values from JSON

    private static Frame frameOf(Map<String, Object> j) {
        String type = string(j, "type");
        switch (type) {
            case "connection_request":
                return connectionRequest(j);
            case "connection_response":
                switch (string(j, "response")) {
                    case "hello_new_client":
                        return ConnectionResponseFrame.helloNewClient(
                                new InstanceId(number(j, "server_instance_id").longValueExact()));
                    case "quarantined":
                        return ConnectionResponseFrame.quarantinedPayload(bytes(j, "payload_hex"));
                    default:
                        return ConnectionResponseFrame.of(ConnectionResponse.valueOf(
                                string(j, "response").toUpperCase(java.util.Locale.ROOT)));
                }
            case "ack":
                return new AckFrame(number(j, "message_id").intValueExact());
            case "publish":
                return PublishFrame.ofPayload(number(j, "message_id").intValueExact(), bytes(j, "payload_hex"));
            case "nack":
                return NackFrame.ofPayload(number(j, "message_id").intValueExact(), bytes(j, "payload_hex"));
            case "ping":
                return PingFrame.INSTANCE;
            case "pong":
                return PongFrame.INSTANCE;
            default:
                throw new AssertionError("unknown frame type " + type);
        }
    }

    private static ConnectionRequestFrame connectionRequest(Map<String, Object> j) {
        String version = j.containsKey("app_version_hex")
                ? new String(bytes(j, "app_version_hex"), StandardCharsets.UTF_8) : string(j, "app_version");
        Object server = j.get("server_instance_id");
        return new ConnectionRequestFrame(version, new InstanceId(number(j, "client_instance_id").longValueExact()),
                server == null ? Optional.empty() : Optional.of(new InstanceId(((BigInteger) server).longValueExact())));
    }

    private static Event event(Map<String, Object> j) {
        return new Event(number(j, "event_type_id").longValueExact(), number(j, "schema_version").longValueExact(),
                bytes(j, "key_hex"), number(j, "offset").longValueExact(), number(j, "timestamp").longValueExact(),
                bytes(j, "event_data_hex"));
    }

    @SuppressWarnings("unchecked")
    private static List<Event> events(Object list) {
        List<Event> events = new ArrayList<>();
        for (Object e : (List<Object>) list) {
            events.add(event((Map<String, Object>) e));
        }
        return events;
    }

    private static Nack nack(Map<String, Object> j) {
        return new Nack(bytes(j, "machine_message_hex"),
                new String(bytes(j, "human_message_hex"), StandardCharsets.UTF_8));
    }

    private static SensorReading reading(Map<String, Object> j) {
        return new SensorReading(number(j, "temperature").intValueExact(), number(j, "humidity").intValueExact());
    }

    // ------------------------------------------------------------------ small helpers

    private static boolean flag(byte flags, int bit) {
        return (flags & bit) != 0;
    }

    private static String string(Map<String, Object> j, String key) {
        Object value = j.get(key);
        if (!(value instanceof String s)) {
            throw new AssertionError("vector field " + key + " is not a string: " + j);
        }
        return s;
    }

    private static BigInteger number(Map<String, Object> j, String key) {
        Object value = j.get(key);
        if (!(value instanceof BigInteger n)) {
            throw new AssertionError("vector field " + key + " is not an integer: " + j);
        }
        return n;
    }

    private static int number(Map<String, Object> j, String key, int absent) {
        return j.containsKey(key) ? number(j, key).intValueExact() : absent;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Map<String, Object> j, String key) {
        return (Map<String, Object>) j.get(key);
    }

    private static byte[] bytes(Map<String, Object> j, String key) {
        return unhex(string(j, key));
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    private static String hex(byte[] bytes, int n) {
        return HexFormat.of().formatHex(bytes, 0, Math.min(n, bytes.length));
    }

    private static byte[] unhex(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    private static byte[] gunzip(byte[] gz) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An Elixir binary as {@code inspect} prints it: {@code "text"} or {@code <<1, 2>>}. */
    private static byte[] elixirBinary(String inspected) {
        if (inspected.startsWith("\"") && inspected.endsWith("\"")) {
            String body = inspected.substring(1, inspected.length() - 1);
            if (body.contains("\\")) {
                throw new AssertionError("escapes in an inspected binary are not supported: " + inspected);
            }
            return body.getBytes(StandardCharsets.UTF_8);
        }
        Matcher m = Pattern.compile("<<(.*)>>").matcher(inspected);
        if (!m.matches()) {
            throw new AssertionError("not an inspected binary: " + inspected);
        }
        String[] parts = m.group(1).split(",\\s*");
        byte[] out = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = (byte) Integer.parseInt(parts[i].trim());
        }
        return out;
    }

    /** The fields of an inspected struct, e.g. {@code %Sink.Event{event_type_id: 1, key: "k"}}. */
    private static Map<String, String> elixirStruct(String inspected) {
        Matcher body = Pattern.compile("%[\\w.]+\\{(.*)\\}").matcher(inspected);
        assertThat(body.matches()).as("struct %s", inspected).isTrue();
        Map<String, String> fields = new java.util.HashMap<>();
        Matcher field = Pattern.compile("(\\w+): (\"(?:[^\"\\\\]|\\\\.)*\"|<<[^>]*>>|\\d+|nil)").matcher(body.group(1));
        while (field.find()) {
            fields.put(field.group(1), field.group(2));
        }
        return fields;
    }
}
