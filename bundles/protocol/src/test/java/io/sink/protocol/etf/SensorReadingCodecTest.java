package io.sink.protocol.etf;

import static io.sink.protocol.testing.Rejections.rejects;
import static org.assertj.core.api.Assertions.assertThat;

import io.sink.api.Event;
import io.sink.protocol.ProtocolException;
import io.sink.protocol.ProtocolException.Kind;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class SensorReadingCodecTest {
    private static final String MAP2 = "837400000002";
    private static final String HUMIDITY_40 = "64000868756d696469747961" + "28";
    private static final String TEMPERATURE_70 = "64000b74656d7065726174757265" + "6146";

    @Test
    void everyAtomEncodingIsAccepted() throws ProtocolException {
        SensorReading expected = new SensorReading(70, 40);
        // SMALL_ATOM_EXT (115) and ATOM_UTF8_EXT (118), keys in either order
        assertThat(SensorReadingCodec.decode(hex(MAP2 + "73" + "0b74656d7065726174757265" + "6146"
                + "76000868756d6964697479" + "6128"))).isEqualTo(expected);
        assertThat(SensorReadingCodec.decode(hex(MAP2 + HUMIDITY_40 + TEMPERATURE_70))).isEqualTo(expected);
        assertThat(SensorReadingCodec.decode(hex(MAP2 + TEMPERATURE_70 + HUMIDITY_40))).isEqualTo(expected);
    }

    @Test
    void anythingElseIsATypedErrorSayingWhat() {
        assertThat(rejects(Kind.MALFORMED_TERM, () -> SensorReadingCodec.decode(hex("8374000000036a"))))
                .hasMessageContaining("map has 3 pairs");
        assertThat(rejects(Kind.MALFORMED_TERM, () -> SensorReadingCodec.decode(hex("836a"))))
                .hasMessageContaining("expected a map");
        assertThat(rejects(Kind.MALFORMED_TERM, () -> SensorReadingCodec.decode(hex("8374"))))
                .hasMessageContaining("map arity needs 4 bytes");
        assertThat(rejects(Kind.MALFORMED_TERM, () -> SensorReadingCodec.decode(hex("8374000000026d"))))
                .hasMessageContaining("term tag 109, expected an atom");
        assertThat(rejects(Kind.MALFORMED_TERM, () -> SensorReadingCodec.decode(hex(MAP2 + HUMIDITY_40
                + "64000b74656d7065726174757265" + "6e0400000000000001"))))
                .hasMessageContaining("value of :temperature has term tag 110");
        assertThat(rejects(Kind.MALFORMED_TERM, () -> SensorReadingCodec.decode(hex(MAP2 + HUMIDITY_40
                + HUMIDITY_40)))).hasMessageContaining("repeated key :humidity");
        assertThat(rejects(Kind.MALFORMED_TERM, () -> SensorReadingCodec.decode(hex(MAP2 + HUMIDITY_40
                + "640008707265737375726561" + "01")))).hasMessageContaining("key :pressure");
        assertThat(rejects(Kind.MALFORMED_TERM, () -> SensorReadingCodec.decode(hex(MAP2 + HUMIDITY_40
                + TEMPERATURE_70 + "00")))).hasMessageContaining("trailing byte");
        assertThat(rejects(Kind.MALFORMED_TERM, () -> SensorReadingCodec.decode(hex("82"))))
                .hasMessageContaining("not the external term format version 131");
    }

    @Test
    void theExampleEventIsTheBenchmarksSize() {
        // 53 bytes of payload: a 55-byte PUBLISH frame, 57 bytes on the wire with the length prefix.
        Event event = SensorReadingCodec.event("kitchen", 12345, 1_700_000_000L, new SensorReading(70, 40));
        assertThat(event.eventTypeId()).isEqualTo(1);
        assertThat(event.schemaVersion()).isEqualTo(1);
        assertThat(event.publishPayloadSize()).isEqualTo(53);
    }

    private static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex);
    }
}
