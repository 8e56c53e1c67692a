package io.sink.reading.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.api.Event;
import io.sink.protocol.ProtocolException;
import io.sink.protocol.etf.SensorReading;
import io.sink.protocol.etf.SensorReadingCodec;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EventFormatTest {

    @Test
    void aSensorReadingIsDecoded() throws Exception {
        Event e = SensorReadingCodec.event("kitchen", 12, 1_700_000_000L, new SensorReading(70, 40));
        assertThat(EventFormat.isSensorReading(e)).isTrue();
        assertThat(EventFormat.reading(e)).contains(new SensorReading(70, 40));
        assertThat(EventFormat.describe(e))
                .isEqualTo("sensor=kitchen offset=12 timestamp=1700000000 temperature=70 humidity=40");
        Event cold = SensorReadingCodec.event("freezer", 1, 5, new SensorReading(-18, 300));
        assertThat(EventFormat.describe(cold)).isEqualTo("sensor=freezer offset=1 timestamp=5 temperature=-18 humidity=300");
    }

    @Test
    void otherEventsAreDescribedByTheirHeader() throws Exception {
        Event e = Event.of(5, 2, "dev", 3, 17, new byte[12]);
        assertThat(EventFormat.reading(e)).isEmpty();
        assertThat(EventFormat.describe(e)).isEqualTo("type=5 schema=2 key=dev offset=3 timestamp=17 size=12 bytes");
        // type 1 with another schema version is not the example's reading
        assertThat(EventFormat.isSensorReading(Event.of(1, 2, "k", 1, 1, new byte[0]))).isFalse();
    }

    @Test
    void anUndecodableReadingSaysWhy() {
        Event e = Event.of(1, 1, "kitchen", 4, 9, new byte[] {1, 2, 3});
        assertThatThrownBy(() -> EventFormat.reading(e)).isInstanceOf(ProtocolException.class);
        assertThat(EventFormat.describe(e)).startsWith("type=1 schema=1 key=kitchen offset=4 timestamp=9 size=3 bytes"
                + " (undecodable: ").contains("131");
    }

    @Test
    void keysThatCouldForgeLogLinesAreEscaped() {
        assertThat(EventFormat.printable("fake\nreading from x".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("\"fake\\nreading from x\"");
        assertThat(EventFormat.printable(new byte[] {(byte) 0xff, 0})).isEqualTo("\"\\xFF\\u{0}\"");
        assertThat(EventFormat.printable("living room".getBytes(StandardCharsets.UTF_8))).isEqualTo("\"living room\"");
        assertThat(EventFormat.printable("a=\"b\"".getBytes(StandardCharsets.UTF_8))).isEqualTo("\"a=\\\"b\\\"\"");
        assertThat(EventFormat.printable("küche".getBytes(StandardCharsets.UTF_8))).isEqualTo("küche");
        assertThat(EventFormat.printable("\u202Ekitchen\u2028".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("\"\\u{202E}kitchen\\u{2028}\"");
        assertThat(EventFormat.printable(new byte[0])).isEqualTo("\"\"");
        assertThat(EventFormat.printable("k".repeat(200).getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("\"" + "k".repeat(128) + "\"…(+72 bytes)");
    }

    @Test
    void offsetsAndTypesArePrintedUnsigned() {
        Event e = Event.of(-1L, 1, "k", -1L, 9, new byte[0]);
        assertThat(EventFormat.describe(e)).isEqualTo("type=18446744073709551615 schema=1 key=k"
                + " offset=18446744073709551615 timestamp=9 size=0 bytes");
    }
}
