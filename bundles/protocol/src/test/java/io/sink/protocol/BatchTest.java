package io.sink.protocol;

import static io.sink.protocol.testing.Rejections.rejects;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.api.Event;
import io.sink.protocol.ProtocolException.Kind;
import io.sink.protocol.internal.ByteWriter;
import io.sink.protocol.internal.Gzip;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class BatchTest {
    private static final Event E1 = Event.of(1, 1, "kitchen", 1, 100, new byte[] {1});

    @Test
    void anEmptyBatchIsRefused() {
        assertThatThrownBy(() -> Batch.encode(List.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one event");
        // flags 0x3f, header values, then a body claiming 0 events
        rejects(Kind.MALFORMED_BATCH, () -> Batch.decode(hex("3f0101070164010000000000")));
    }

    @Test
    void theGzipHeaderIsErlangs() {
        List<Event> many = Collections.nCopies(50, E1);
        byte[] batch = Batch.encode(many);
        assertThat(batch[0] & Batch.FLAG_COMPRESSED).isNotZero();
        assertThat(HexFormat.of().formatHex(batch)).contains("1f8b0800000000000003");
    }

    @Test
    void aZipBombStopsAtTheLimit() throws IOException {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(new byte[4 << 20]);
        }
        byte[] batch = new ByteWriter(16).u8(0x40 | Batch.FLAG_OFFSET_DELTA | Batch.FLAG_TIMESTAMP_DELTA).u8(0).u8(0)
                .bytes(gz.toByteArray()).toByteArray();
        assertThat(batch.length).isLessThan(10_000);
        assertThat(rejects(Kind.BATCH_TOO_LARGE, () -> Batch.decode(batch, 0, batch.length,
                new BatchLimits(1 << 20, 100)))).hasMessageContaining("more than 1048576 bytes");
        // Within the limit it inflates, and is then refused for what it is (zeros, no events).
        rejects(Kind.MALFORMED_BATCH, () -> Batch.decode(batch));
    }

    @Test
    void countsAndLengthsAreNotTrusted() {
        // A body claiming 2^40 events in a few bytes.
        rejects(Kind.MALFORMED_BATCH, () -> Batch.decode(hex("3f0101070164018080808080200000")));
        // More events than the limit allows.
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            events.add(Event.of(1, 1, "k", i, i, new byte[0]));
        }
        byte[] batch = Batch.encode(events);
        assertThat(rejects(Kind.BATCH_TOO_LARGE, () -> Batch.decode(batch, 0, batch.length, new BatchLimits(1 << 20,
                19)))).hasMessageContaining("20 events");
        byte[] snapshot = Snapshot.encode(List.of(events, events));
        rejects(Kind.BATCH_TOO_LARGE, () -> Snapshot.decode(snapshot, 0, snapshot.length, new BatchLimits(1 << 20,
                30)));
    }

    @Test
    void deltasLeavingTheUnsignedRangeAreRefused() {
        // one event, offset delta flag, header offset 0, offsets column holds zigzag(-1) = 1
        byte[] batch = hex("3f010100000000" + "01" + "00" + "0101" + "0100");
        assertThat(rejects(Kind.VALUE_OUT_OF_RANGE, () -> Batch.decode(batch)))
                .hasMessageContaining("offset of event 0 leaves 0..2^64-1");
        // header offset 2^64-1, delta +1
        byte[] above = hex("3f010100" + "ffffffffffffffffff01" + "00" + "00" + "01" + "00" + "0102" + "0100");
        assertThat(rejects(Kind.VALUE_OUT_OF_RANGE, () -> Batch.decode(above)))
                .hasMessageContaining("offset of event 0 leaves 0..2^64-1 (previous 18446744073709551615, delta 1)");
        // the timestamp stays within 0..2^63-1
        byte[] timestamp = hex("3f010100000000" + "01" + "00" + "0100" + "0101");
        assertThat(rejects(Kind.VALUE_OUT_OF_RANGE, () -> Batch.decode(timestamp)))
                .hasMessageContaining("timestamp of event 0 leaves 0..2^63-1");
    }

    @Test
    void offsetsAcrossTheWholeUnsignedRangeRoundTrip() throws ProtocolException {
        // 2^63-1 -> 2^63 is a delta of +1; 0 -> 2^64-1 does not fit a signed delta: written plain
        List<Event> near = List.of(Event.of(-2, -1, "k", Long.MAX_VALUE, 1, new byte[0]),
                Event.of(-2, -1, "k", Long.MIN_VALUE, 1, new byte[0]), Event.of(-2, -1, "k", -1L, 2, new byte[0]));
        byte[] delta = Batch.encode(near);
        assertThat(delta[0] & Batch.FLAG_OFFSET_DELTA).isNotZero();
        assertThat(Batch.decode(delta)).isEqualTo(near);
        List<Event> far = List.of(Event.of(1, 1, "k", 0, 1, new byte[0]), Event.of(1, 1, "k", -1L, 1, new byte[0]),
                Event.of(1, 1, "k", 5, 1, new byte[0]));
        byte[] plain = Batch.encode(far);
        assertThat(plain[0] & Batch.FLAG_OFFSET_DELTA).isZero();
        assertThat(Batch.decode(plain)).isEqualTo(far);
        assertThat(Batch.deltaFits(-1L, 0)).isFalse();
        assertThat(Batch.deltaFits(Long.MIN_VALUE, Long.MAX_VALUE)).isTrue();
        assertThat(Batch.deltaFits(Long.MAX_VALUE, -1L)).isTrue();
        assertThat(Batch.deltaFits(Long.MIN_VALUE, 0)).isFalse();
    }

    @Test
    void columnsMustHoldOneValuePerEvent() {
        // two events, event_type_id column (not homogeneous) holds three values
        rejects(Kind.MALFORMED_BATCH, () -> Batch.decode(hex("1f01000000" + "00" + "02" + "03010203" + "00"
                + "020000" + "020000")));
    }

    @Test
    void gzipErrorsAreTyped() throws ProtocolException {
        byte[] body = new byte[100];
        byte[] gz = Gzip.compress(body, 0, body.length);
        assertThat(Gzip.decompress(gz, 0, gz.length, 100, "t")).isEqualTo(body);
        rejects(Kind.BATCH_TOO_LARGE, () -> Gzip.decompress(gz, 0, gz.length, 99, "t"));
        byte[] trailing = java.util.Arrays.copyOf(gz, gz.length + 1);
        assertThat(rejects(Kind.MALFORMED_BATCH, () -> Gzip.decompress(trailing, 0, trailing.length, 100, "t")))
                .hasMessageContaining("after the gzip trailer");
        byte[] badMagic = gz.clone();
        badMagic[1] = 0;
        rejects(Kind.MALFORMED_BATCH, () -> Gzip.decompress(badMagic, 0, badMagic.length, 100, "t"));
        byte[] badLength = gz.clone();
        badLength[badLength.length - 1] = 1;
        assertThat(rejects(Kind.MALFORMED_BATCH, () -> Gzip.decompress(badLength, 0, badLength.length, 100, "t")))
                .hasMessageContaining("length");
    }

    @Test
    void limitsAreValidated() {
        assertThatThrownBy(() -> new BatchLimits(0, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxBodySize");
        assertThatThrownBy(() -> new BatchLimits(1, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxEvents");
    }

    private static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex);
    }
}
