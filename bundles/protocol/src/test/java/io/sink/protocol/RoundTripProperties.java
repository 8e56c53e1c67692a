package io.sink.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.sink.api.Event;
import io.sink.api.Nack;
import io.sink.protocol.etf.SensorReading;
import io.sink.protocol.etf.SensorReadingCodec;
import io.sink.protocol.testing.Generators;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Everything encoded decodes back to itself; tries per property come from jqwik.tries.default. */
class RoundTripProperties {

    @Provide
    Arbitrary<Frame> frames() {
        return Generators.frames();
    }

    @Provide
    Arbitrary<Event> events() {
        return Generators.events();
    }

    @Provide
    Arbitrary<Nack> nacks() {
        return Generators.nacks();
    }

    @Provide
    Arbitrary<Long> unsignedLongs() {
        return Generators.unsignedLongs();
    }

    @Provide
    Arbitrary<List<Event>> batches() {
        return Generators.batches();
    }

    @Provide
    Arbitrary<List<List<Event>>> snapshots() {
        return Generators.batches().list().ofMaxSize(4);
    }

    @Provide
    Arbitrary<SensorReading> readings() {
        return Generators.readings();
    }

    @Provide
    Arbitrary<Integer> messageIds() {
        return Generators.messageIds();
    }

    @Property
    void everyFrameRoundTrips(@ForAll("frames") Frame frame, @ForAll @IntRange(max = 5) int offset)
            throws ProtocolException {
        byte[] bytes = FrameCodec.encode(frame);
        assertThat(bytes).hasSize(FrameCodec.encodedSize(frame));
        assertThat(FrameCodec.decode(bytes)).isEqualTo(frame);

        byte[] prefixed = FrameCodec.encodeWithLengthPrefix(frame);
        assertThat(FrameCodec.readLengthPrefix(prefixed, 0)).isEqualTo(bytes.length);
        assertThat(Arrays.copyOfRange(prefixed, 2, prefixed.length)).isEqualTo(bytes);
        assertThat(FrameCodec.decodeWithLengthPrefix(prefixed, 0, prefixed.length)).isEqualTo(frame);

        byte[] buffer = new byte[offset + bytes.length + 3];
        assertThat(FrameCodec.encode(frame, buffer, offset)).isEqualTo(offset + bytes.length);
        assertThat(FrameCodec.decode(buffer, offset, bytes.length)).isEqualTo(frame);
        assertThat(FrameCodec.encodeWithLengthPrefix(frame, buffer, offset))
                .isEqualTo(offset + prefixed.length);

        ByteBuffer heap = ByteBuffer.allocate(bytes.length + offset).position(offset);
        FrameCodec.encode(frame, heap);
        assertThat(heap.remaining()).isZero();
        assertThat(FrameCodec.decode(heap.position(offset))).isEqualTo(frame);
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length);
        FrameCodec.encode(frame, direct);
        assertThat(FrameCodec.decode(direct.flip())).isEqualTo(frame);
    }

    @Property
    void publishFramesCarryTheirEvent(@ForAll("messageIds") int messageId, @ForAll("events") Event event)
            throws ProtocolException {
        byte[] bytes = FrameCodec.encode(PublishFrame.of(messageId, event));
        assertThat(bytes).hasSize(2 + event.publishPayloadSize());
        PublishFrame decoded = (PublishFrame) FrameCodec.decode(bytes);
        assertThat(decoded.messageId()).isEqualTo(messageId);
        assertThat(decoded.event()).isEqualTo(event);
        assertThat(decoded.payload()).isEqualTo(PublishPayload.encode(event));
    }

    @Property
    void publishPayloadsRoundTrip(@ForAll("events") Event event) throws ProtocolException {
        byte[] payload = PublishPayload.encode(event);
        assertThat(payload).hasSize(PublishPayload.size(event));
        assertThat(PublishPayload.decode(payload)).isEqualTo(event);
    }

    @Property
    void nackPayloadsRoundTrip(@ForAll("messageIds") int messageId, @ForAll("nacks") Nack nack)
            throws ProtocolException {
        byte[] payload = NackPayload.encode(nack);
        assertThat(payload).hasSize(NackPayload.size(nack));
        assertThat(NackPayload.decode(payload)).isEqualTo(nack);
        assertThat(((NackFrame) FrameCodec.decode(FrameCodec.encode(NackFrame.of(messageId, nack)))).nack())
                .isEqualTo(nack);
        assertThat(((ConnectionResponseFrame) FrameCodec.decode(FrameCodec.encode(
                ConnectionResponseFrame.quarantined(nack)))).nack()).isEqualTo(nack);
    }

    @Property
    void varintsRoundTripAndMatchAReferenceEncoder(@ForAll("unsignedLongs") long value) throws ProtocolException {
        byte[] bytes = Varint.encode(value);
        assertThat(bytes).isEqualTo(referenceLeb128(Varint.toUnsignedBigInteger(value)));
        assertThat(bytes).hasSize(Varint.size(value));
        assertThat(Varint.decode(bytes)).isEqualTo(new Varint.Decoded(value, bytes.length));
        assertThat(Varint.encode(Varint.toUnsignedBigInteger(value))).isEqualTo(bytes);
    }

    @Property
    void nonMinimalVarintsDecodeToTheSameValue(@ForAll("unsignedLongs") long value,
            @ForAll @IntRange(max = 30) int padding) throws ProtocolException {
        byte[] minimal = Varint.encode(value);
        byte[] padded = Arrays.copyOf(minimal, minimal.length + padding + (padding > 0 ? 1 : 0));
        if (padding > 0) {
            padded[minimal.length - 1] |= (byte) 0x80;
            Arrays.fill(padded, minimal.length, padded.length - 1, (byte) 0x80);
            padded[padded.length - 1] = 0;
        }
        assertThat(Varint.decode(padded)).isEqualTo(new Varint.Decoded(value, padded.length));
    }

    @Property
    void zigzagRoundTripsAndMatchesItsDefinition(@ForAll long delta) {
        long encoded = Zigzag.encode(delta);
        BigInteger d = BigInteger.valueOf(delta);
        BigInteger expected = delta >= 0 ? d.shiftLeft(1) : d.shiftLeft(1).negate().subtract(BigInteger.ONE);
        assertThat(Varint.toUnsignedBigInteger(encoded)).isEqualTo(expected);
        assertThat(Zigzag.decode(encoded)).isEqualTo(delta);
    }

    @Property
    void chunksRoundTrip(@ForAll @Size(max = 300) byte[] data) throws ProtocolException {
        byte[] chunk = Chunk.encode(data);
        assertThat(chunk).hasSize(Chunk.size(data.length));
        Chunk.Decoded decoded = Chunk.decode(chunk);
        assertThat(decoded.data()).isEqualTo(data);
        assertThat(decoded.length()).isEqualTo(chunk.length);
    }

    @Property
    void batchesRoundTrip(@ForAll("batches") List<Event> events) throws Exception {
        byte[] batch = Batch.encode(events);
        assertThat(Batch.decode(batch)).isEqualTo(events);
        int flags = batch[0];
        assertThat((flags & Batch.FLAG_EVENT_TYPE_ID) != 0)
                .isEqualTo(events.stream().map(Event::eventTypeId).distinct().count() == 1);
        assertThat((flags & Batch.FLAG_SCHEMA_VERSION) != 0)
                .isEqualTo(events.stream().map(Event::schemaVersion).distinct().count() == 1);
        assertThat((flags & Batch.FLAG_KEY_LENGTH) != 0)
                .isEqualTo(events.stream().map(Event::keyLength).distinct().count() == 1);
        assertThat((flags & Batch.FLAG_EVENT_DATA_LENGTH) != 0)
                .isEqualTo(events.stream().map(Event::eventDataLength).distinct().count() == 1);
        assertThat(flags & Batch.FLAG_TIMESTAMP_DELTA).isEqualTo(Batch.FLAG_TIMESTAMP_DELTA);
        // offsets are delta-encoded, as the original always does, unless a difference leaves the signed 64 bits
        boolean deltasFit = true;
        for (int i = 1; i < events.size(); i++) {
            deltasFit &= Batch.deltaFits(events.get(i).offset(), events.get(i - 1).offset());
        }
        assertThat((flags & Batch.FLAG_OFFSET_DELTA) != 0).isEqualTo(deltasFit);
        if ((flags & Batch.FLAG_COMPRESSED) != 0) {
            // An independent gunzip reads our gzip member: it is a real gzip stream, not just ours.
            int header = batch.length - gzipMemberLength(batch);
            try (GZIPInputStream in = new GZIPInputStream(
                    new ByteArrayInputStream(batch, header, batch.length - header))) {
                assertThat(in.readAllBytes()).isNotEmpty();
            }
        }
    }

    @Property
    void snapshotsRoundTrip(@ForAll("snapshots") List<List<Event>> batches) throws ProtocolException {
        byte[] snapshot = Snapshot.encode(batches);
        assertThat(Snapshot.decode(snapshot)).isEqualTo(batches);
        byte[] appended = new byte[0];
        for (List<Event> batch : batches) {
            appended = Snapshot.appendBatch(appended, batch);
        }
        assertThat(appended).isEqualTo(snapshot);
    }

    @Property
    void sensorReadingsRoundTrip(@ForAll("readings") SensorReading reading) throws ProtocolException {
        byte[] term = SensorReadingCodec.encode(reading);
        assertThat(term).hasSize(SensorReadingCodec.encodedSize(reading));
        assertThat(SensorReadingCodec.decode(term)).isEqualTo(reading);
    }

    /** LEB128 written from the definition with BigInteger, to check the fast encoder against. */
    private static byte[] referenceLeb128(BigInteger value) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        BigInteger v = value;
        BigInteger mask = BigInteger.valueOf(0x7f);
        do {
            int group = v.and(mask).intValue();
            v = v.shiftRight(7);
            out.write(v.signum() == 0 ? group : group | 0x80);
        } while (v.signum() != 0);
        return out.toByteArray();
    }

    /** Length of the gzip member that ends a compressed batch: from its magic to the end. */
    private static int gzipMemberLength(byte[] batch) throws IOException {
        for (int i = 1; i + 1 < batch.length; i++) {
            if ((batch[i] & 0xff) == 0x1f && (batch[i + 1] & 0xff) == 0x8b && batch[i + 2] == 8) {
                return batch.length - i;
            }
        }
        throw new IOException("no gzip member in a compressed batch");
    }
}
