package io.sink.protocol.etf;

import static io.sink.protocol.testing.Rejections.rejects;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.api.Event;
import io.sink.protocol.ProtocolException;
import io.sink.protocol.ProtocolException.Kind;
import java.util.HexFormat;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SensorConfigCodecTest {
    /*
     * The bytes Erlang/OTP 25 writes (checked with erl 25:
     * term_to_binary(#{op => add, name => <<"hall">>, kind => <<"simulated">>, period_ms => 2000},
     * [{minor_version, 1}])): keys in sorted order, ATOM_EXT atoms, BINARY_EXT strings.
     */
    private static final String KIND_SIMULATED = "6400046b696e64" + "6d00000009" + "73696d756c61746564";
    private static final String NAME_HALL = "6400046e616d65" + "6d00000004" + "68616c6c";
    private static final String OP_ADD = "6400026f70" + "640003616464";
    private static final String PERIOD_2000 = "640009706572696f645f6d73" + "62000007d0";
    private static final String ADD_HALL = "837400000004" + KIND_SIMULATED + NAME_HALL + OP_ADD + PERIOD_2000;
    /* term_to_binary(#{op => remove}, [{minor_version, 1}]) */
    private static final String REMOVE = "837400000001" + "6400026f70" + "64000672656d6f7665";

    @Test
    void writesExactlyWhatOtp25Writes() {
        assertThat(hex(SensorConfigCodec.encode(SensorConfig.add("hall", "simulated", 2000)))).isEqualTo(ADD_HALL);
        assertThat(hex(SensorConfigCodec.encode(SensorConfig.remove()))).isEqualTo(REMOVE);
        // a change is the same map with :change; a small period is a SMALL_INTEGER_EXT
        assertThat(hex(SensorConfigCodec.encode(SensorConfig.change("hall", "simulated", 200))))
                .isEqualTo("837400000004" + KIND_SIMULATED + NAME_HALL + "6400026f70" + "6400066368616e6765"
                        + "640009706572696f645f6d73" + "61c8");
    }

    @Test
    void roundTripsAndReadsAnyKeyOrderAndAtomEncoding() throws ProtocolException {
        SensorConfig hall = SensorConfig.add("Halle \u00fcber \uD83C\uDF21", "simulated", 123_456_789);
        assertThat(SensorConfigCodec.decode(SensorConfigCodec.encode(hall))).isEqualTo(hall);
        assertThat(SensorConfigCodec.decode(unhex(REMOVE))).isEqualTo(SensorConfig.remove());
        // OTP 26 order and SMALL_ATOM_UTF8_EXT (119) atoms
        String op = "77026f70" + "7703616464";
        assertThat(SensorConfigCodec.decode(unhex("837400000004" + op + PERIOD_2000 + NAME_HALL + KIND_SIMULATED)))
                .isEqualTo(SensorConfig.add("hall", "simulated", 2000));
    }

    @Test
    void eventHasTypeSchemaAndTheUuidAsKey() throws ProtocolException {
        UUID id = UUID.fromString("0b5e7d1c-9a34-4f7e-8a1b-2c3d4e5f6a7b");
        Event event = SensorConfigCodec.event(id, 7, 1000, SensorConfig.remove());
        assertThat(event.eventTypeId()).isEqualTo(2);
        assertThat(event.schemaVersion()).isEqualTo(1);
        assertThat(event.keyAsString()).isEqualTo("0b5e7d1c-9a34-4f7e-8a1b-2c3d4e5f6a7b");
        assertThat(SensorConfigCodec.sensorId(event)).isEqualTo(id);
        assertThat(rejects(Kind.MALFORMED_TERM, () -> SensorConfigCodec.sensorId(
                Event.of(2, 1, "0B5E7D1C-9A34-4F7E-8A1B-2C3D4E5F6A7B", 1, 1, new byte[0]))))
                .hasMessageContaining("is not a uuid");
        assertThat(rejects(Kind.MALFORMED_TERM, () -> SensorConfigCodec.sensorId(
                Event.of(2, 1, "hall", 1, 1, new byte[0])))).hasMessageContaining("\"hall\" is not a uuid");
    }

    @Test
    void badTermsAreTypedErrorsSayingWhat() {
        assertThat(rejects(Kind.MALFORMED_TERM, () -> SensorConfigCodec.decode(unhex("8374000000026a"))))
                .hasMessageContaining("map has 2 pairs");
        assertThat(rejects(Kind.MALFORMED_TERM, () -> SensorConfigCodec.decode(unhex("836a"))))
                .hasMessageContaining("expected a map");
        assertThat(rejects(Kind.MALFORMED_TERM, () -> SensorConfigCodec.decode(unhex("837400000001"
                + "6400026f70" + "640004736f6d65")))).hasMessageContaining("op :some is unknown");
        assertThat(rejects(Kind.MALFORMED_TERM, () -> SensorConfigCodec.decode(unhex("837400000001" + NAME_HALL))))
                .hasMessageContaining("has no :op");
        assertThat(rejects(Kind.MALFORMED_TERM, () -> SensorConfigCodec.decode(unhex("837400000001" + OP_ADD))))
                .hasMessageContaining("op :add needs :name, :kind and :period_ms");
        assertThat(rejects(Kind.MALFORMED_TERM, () -> SensorConfigCodec.decode(unhex("837400000004" + OP_ADD
                + NAME_HALL + NAME_HALL + PERIOD_2000)))).hasMessageContaining("unexpected or repeated key :name");
        assertThat(rejects(Kind.MALFORMED_TERM, () -> SensorConfigCodec.decode(unhex("837400000004" + OP_ADD
                + KIND_SIMULATED + NAME_HALL + "640009706572696f645f6d73" + "6100"))))
                .hasMessageContaining("period must be at least 1 ms, got 0");
        assertThat(rejects(Kind.MALFORMED_TERM, () -> SensorConfigCodec.decode(unhex("837400000004" + OP_ADD
                + KIND_SIMULATED + "6400046e616d65" + "6d00000002" + "c328" + PERIOD_2000))))
                .hasMessageContaining("value of :name is not UTF-8");
        assertThat(rejects(Kind.MALFORMED_TERM, () -> SensorConfigCodec.decode(unhex("837400000004" + OP_ADD
                + KIND_SIMULATED + "6400046e616d65" + "6b00026869" + PERIOD_2000))))
                .hasMessageContaining("value of :name has term tag 107, expected a binary");
        assertThat(rejects(Kind.MALFORMED_TERM, () -> SensorConfigCodec.decode(unhex("837400000004" + OP_ADD
                + KIND_SIMULATED + "6400046e616d65" + "6d7fffffff" + PERIOD_2000))))
                .hasMessageContaining("at most 200 are allowed");
        assertThat(rejects(Kind.MALFORMED_TERM, () -> SensorConfigCodec.decode(unhex(REMOVE + "00"))))
                .hasMessageContaining("the map");
        assertThat(rejects(Kind.MALFORMED_TERM, () -> SensorConfigCodec.decode(unhex(ADD_HALL.substring(0, 40)))))
                .hasMessageContaining("sensor-configuration term");
    }

    @Test
    void valuesAreCheckedWhenBuilt() {
        assertThatThrownBy(() -> SensorConfig.add(" ", "simulated", 1)).hasMessageContaining("name must not be");
        assertThatThrownBy(() -> SensorConfig.add("a\nb", "simulated", 1)).hasMessageContaining("control");
        assertThatThrownBy(() -> SensorConfig.add("x".repeat(201), "simulated", 1)).hasMessageContaining("201");
        assertThatThrownBy(() -> SensorConfig.add("hall", "Sim", 1)).hasMessageContaining("kind must be made of");
        assertThatThrownBy(() -> SensorConfig.add("hall", "simulated", 0)).hasMessageContaining("at least 1 ms");
        assertThatThrownBy(() -> new SensorConfig(SensorConfig.Op.REMOVE, "hall", "", 0))
                .hasMessageContaining("a removal carries no");
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    private static byte[] unhex(String hex) {
        return HexFormat.of().parseHex(hex);
    }
}
