package io.sink.protocol;

import static io.sink.protocol.testing.Rejections.rejects;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.api.Event;
import io.sink.api.InstanceId;
import io.sink.api.Limits;
import io.sink.api.Nack;
import io.sink.protocol.ProtocolException.Kind;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class FrameCodecTest {
    private static final Event KITCHEN = Event.of(1, 1, "kitchen", 1, 1_700_000_000L, new byte[] {1, 2, 3});

    @Test
    void errorsSayExactlyWhatIsWrong() {
        assertThat(rejects(Kind.MALFORMED_FRAME, () -> FrameCodec.decode(hex("300100"))))
                .hasMessage("ACK frame must be exactly 2 bytes, got 3");
        assertThat(rejects(Kind.MALFORMED_FRAME, () -> FrameCodec.decode(new byte[0])))
                .hasMessageContaining("empty frame");
        assertThat(rejects(Kind.MALFORMED_FRAME, () -> FrameCodec.decode(hex("2000"))))
                .hasMessageContaining("undefined message type 2");
        assertThat(rejects(Kind.MALFORMED_FRAME, () -> FrameCodec.decode(hex("16"))))
                .hasMessageContaining("undefined CONNECTION_RESPONSE code 6");
        assertThat(rejects(Kind.UNSUPPORTED_PROTOCOL_VERSION, () -> FrameCodec.decode(hex("0f"))))
                .hasMessageContaining("protocol version 15");
        assertThat(rejects(Kind.MALFORMED_FRAME, () -> FrameCodec.decode(hex("0002ff31000004d2"))))
                .hasMessageContaining("application version is not valid UTF-8");
    }

    @Test
    void publishTypesSchemasAndOffsetsTakeTheWholeUnsigned64BitRange() throws ProtocolException {
        // event_type_id, schema_version, offset = 2^63 in turn, then 2^64-1 in turn
        for (String big : new String[] {"80808080808080808001", "ffffffffffffffffff01"}) {
            long value = big.startsWith("80") ? Long.MIN_VALUE : -1L;
            String[] payloads = {big + "01016b010101" + "78", "01" + big + "016b010101" + "78",
                    "0101016b" + big + "01" + "0178"};
            Event[] events = {Event.of(value, 1, "k", 1, 1, new byte[] {0x78}),
                    Event.of(1, value, "k", 1, 1, new byte[] {0x78}), Event.of(1, 1, "k", value, 1, new byte[] {0x78})};
            for (int i = 0; i < payloads.length; i++) {
                byte[] payload = hex(payloads[i]);
                assertThat(PublishPayload.decode(payload)).isEqualTo(events[i]);
                assertThat(PublishPayload.encode(events[i])).isEqualTo(payload);
                PublishFrame frame = (PublishFrame) FrameCodec.decode(concat(hex("4001"), payload));
                assertThat(frame.event()).isEqualTo(events[i]);
            }
        }
        assertThat(Event.of(1, 1, "k", -1L, 1, new byte[0]).ackKey())
                .hasToString("(1, \"k\", 18446744073709551615)");
    }

    @Test
    void aTimestampAboveTheLongRangeIsRefusedByName() throws ProtocolException {
        byte[] payload = hex("0101016b01" + "80808080808080808001" + "0178");
        assertThat(rejects(Kind.VALUE_OUT_OF_RANGE, () -> PublishPayload.decode(payload)))
                .hasMessage("PUBLISH payload: timestamp 9223372036854775808 is out of range: at most "
                        + "2^63-1 (9223372036854775807)");
        PublishFrame frame = (PublishFrame) FrameCodec.decode(concat(hex("4001"), payload));
        rejects(Kind.VALUE_OUT_OF_RANGE, frame::event);
        assertThat(rejects(Kind.VALUE_OUT_OF_RANGE, () -> PublishPayload.decode(hex("80808080808080808002"))))
                .hasMessageContaining("event_type_id is a varint above 2^64-1");
    }

    @Test
    void framingChecksTheLengthPrefix() throws ProtocolException {
        assertThat(rejects(Kind.MALFORMED_FRAME, () -> FrameCodec.checkFrameLength(0)))
                .hasMessageContaining("frame length is 0");
        assertThat(rejects(Kind.FRAME_TOO_LARGE, () -> FrameCodec.checkFrameLength(65_536)))
                .hasMessage("frame is 65536 bytes, at most 65535 are accepted");
        assertThat(rejects(Kind.FRAME_TOO_LARGE, () -> FrameCodec.checkFrameLength(2_000, 1_024)))
                .hasMessageContaining("at most 1024");
        assertThat(FrameCodec.checkFrameLength(65_535)).isEqualTo(65_535);
        rejects(Kind.FRAME_TOO_LARGE, () -> FrameCodec.decode(new byte[65_536]));
        rejects(Kind.FRAME_TOO_LARGE, () -> FrameCodec.decode(ByteBuffer.allocateDirect(65_536)));
        rejects(Kind.MALFORMED_FRAME, () -> FrameCodec.decodeWithLengthPrefix(hex("000330"), 0, 3));
        rejects(Kind.MALFORMED_FRAME, () -> FrameCodec.decodeWithLengthPrefix(hex("0000"), 0, 2));
        rejects(Kind.MALFORMED_FRAME, () -> FrameCodec.decodeWithLengthPrefix(hex("00"), 0, 1));
        assertThat(FrameCodec.decodeWithLengthPrefix(hex("00023001"), 0, 4)).isEqualTo(new AckFrame(1));
        assertThat(FrameCodec.readLengthPrefix(hex("ffff"), 0)).isEqualTo(65_535);
    }

    @Test
    void theLargestEventFillsTheLargestFrame() throws ProtocolException {
        // Five 1-byte fields and a 3-byte data length leave 65,525 bytes of data.
        Event largest = new Event(0, 0, new byte[0], 0, 0, new byte[Limits.MAX_PUBLISH_PAYLOAD - 8]);
        assertThat(largest.publishPayloadSize()).isEqualTo(Limits.MAX_PUBLISH_PAYLOAD);
        byte[] wire = FrameCodec.encodeWithLengthPrefix(PublishFrame.of(4095, largest));
        assertThat(wire).hasSize(2 + Limits.MAX_FRAME_SIZE);
        assertThat(FrameCodec.readLengthPrefix(wire, 0)).isEqualTo(65_535);
        assertThat(((PublishFrame) FrameCodec.decodeWithLengthPrefix(wire, 0, wire.length)).event()).isEqualTo(largest);
    }

    @Test
    void theEncoderRefusesOutOfRangeValuesInsteadOfTruncating() {
        assertThatThrownBy(() -> new AckFrame(4096)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("message id must be between 0 and 4095, got 4096");
        assertThatThrownBy(() -> new AckFrame(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PublishFrame.of(4097, KITCHEN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NackFrame.of(5000, Nack.of("", ""))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PublishFrame.ofPayload(1, new byte[Limits.MAX_PUBLISH_PAYLOAD + 1]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("65533");
        assertThatThrownBy(() -> ConnectionResponseFrame.quarantinedPayload(new byte[65_535]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ConnectionRequestFrame.of("v".repeat(65_530), new InstanceId(1), new InstanceId(2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 65535 bytes");
        assertThatThrownBy(() -> FrameCodec.encodeConnectionRequest(ConnectionRequestFrame.of("1", new InstanceId(1)),
                16)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ConnectionResponseFrame.of(io.sink.api.ConnectionResponse.HELLO_NEW_CLIENT))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void encodingIntoAShortBufferFailsBeforeWriting() {
        byte[] small = new byte[10];
        assertThatThrownBy(() -> FrameCodec.encode(PublishFrame.of(1, KITCHEN), small, 0))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(small).containsOnly(0);
        assertThatThrownBy(() -> FrameCodec.encode(PublishFrame.of(1, KITCHEN), ByteBuffer.allocate(10)))
                .isInstanceOf(BufferOverflowException.class);
    }

    @Test
    void aPublishWithABadPayloadIsAFrameWhoseEventIsRefused() throws ProtocolException {
        PublishFrame frame = (PublishFrame) FrameCodec.decode(hex("4007"));
        assertThat(frame.messageId()).isEqualTo(7);
        assertThat(frame.hasValidEvent()).isFalse();
        assertThat(frame.payload()).isEmpty();
        assertThat(rejects(Kind.MALFORMED_FRAME, frame::event)).hasMessageContaining("event_type_id is missing");
        assertThat(frame).isEqualTo(PublishFrame.ofPayload(7, new byte[0]));
        assertThat(frame.toString()).contains("invalid payload");
    }

    @Test
    void aDecodedPublishKeepsNoCopyOfAPayloadItCanReEncode() throws ProtocolException {
        byte[] wire = FrameCodec.encode(PublishFrame.of(42, KITCHEN));
        PublishFrame decoded = (PublishFrame) FrameCodec.decode(wire);
        assertThat(decoded).isEqualTo(PublishFrame.of(42, KITCHEN)).hasSameHashCodeAs(PublishFrame.of(42, KITCHEN));
        assertThat(decoded.payload()).isEqualTo(Arrays.copyOfRange(wire, 2, wire.length));
        assertThat(decoded.event()).isSameAs(decoded.event());
    }

    @Test
    void aPublishWithNonMinimalVarintsKeepsItsBytesAsReceived() throws ProtocolException {
        // event_type_id 1 as ten bytes (the tenth a zero group), then schema 1, key "k", offset 1,
        // timestamp 0, empty data; and the same with a two-byte zero as timestamp
        for (String hex : new String[] {"81808080808080808000" + "01016b01" + "0000", "0101016b01" + "8000" + "00"}) {
            byte[] payload = hex(hex);
            PublishFrame frame = PublishFrame.ofPayload(3, payload);
            assertThat(frame.payload()).isEqualTo(payload);
            assertThat(frame.payloadSize()).isEqualTo(payload.length);
            assertThat(FrameCodec.encode(frame)).hasSize(2 + payload.length).endsWith(payload);
            assertThat(frame.event()).isEqualTo(Event.of(1, 1, "k", 1, 0, new byte[0]));
            assertThat(frame).isNotEqualTo(PublishFrame.of(3, frame.event()));
        }
    }

    @Test
    void connectionResponsesCarryTheirData() throws ProtocolException {
        ConnectionResponseFrame hello = (ConnectionResponseFrame) FrameCodec.decode(hex("11ffffffff"));
        assertThat(hello.serverInstanceId()).contains(new InstanceId(Limits.MAX_INSTANCE_ID));
        ConnectionResponseFrame quarantined = (ConnectionResponseFrame) FrameCodec.decode(
                FrameCodec.encode(ConnectionResponseFrame.quarantined(Nack.of("quarantined", "go away"))));
        assertThat(quarantined.nack()).isEqualTo(Nack.of("quarantined", "go away"));
        assertThatThrownBy(hello::nack).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aNackWhoseHumanMessageIsNotUtf8IsStillANack() throws ProtocolException {
        Nack nack = NackPayload.decode(hex("0145ff41"));
        assertThat(nack.machineMessageAsString()).isEqualTo("E");
        assertThat(nack.humanMessage()).isEqualTo("\uFFFDA");
        // Replacement must not make the message too large for a Nack: 65,532 bad bytes stay 65,532 characters.
        byte[] bad = new byte[Limits.MAX_PUBLISH_PAYLOAD];
        Arrays.fill(bad, (byte) 0xff);
        bad[0] = 0;
        assertThat(NackPayload.decode(bad).humanMessage()).hasSize(Limits.MAX_PUBLISH_PAYLOAD - 1).matches("\\?+");
    }

    @Test
    void longVarintsNeitherHangNorWrap() throws ProtocolException {
        byte[] unterminated = new byte[65_535];
        Arrays.fill(unterminated, (byte) 0x80);
        assertThat(rejects(Kind.MALFORMED_FRAME, () -> Varint.decode(unterminated))).hasMessageContaining("unterminated");
        byte[] zero = unterminated.clone();
        zero[zero.length - 1] = 0;
        assertThat(Varint.decode(zero)).isEqualTo(new Varint.Decoded(0, zero.length));
        assertThat(Varint.decode(hex("ffffffffffffffffff01")).value()).isEqualTo(-1L);
        rejects(Kind.VALUE_OUT_OF_RANGE, () -> Varint.decode(hex("ffffffffffffffffff02")));
        rejects(Kind.VALUE_OUT_OF_RANGE, () -> Varint.decode(hex("8080808080808080808001")));
    }

    private static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
