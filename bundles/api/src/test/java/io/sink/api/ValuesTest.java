package io.sink.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ValuesTest {

    @Test
    void typesSchemasAndOffsetsAreUnsigned64BitTimestampsAreNot() {
        Event top = Event.of(-1L, Long.MIN_VALUE, "k", -1L, Long.MAX_VALUE, new byte[0]);
        assertThat(top.offset()).isEqualTo(-1L);
        assertThat(top.toString()).contains("type=18446744073709551615", "schema=9223372036854775808",
                "offset=18446744073709551615");
        assertThat(top.ackKey()).hasToString("(18446744073709551615, \"k\", 18446744073709551615)")
                .isEqualTo(AckKey.of(-1L, "k", -1L));
        assertThat(top.publishPayloadSize()).isEqualTo(10 + 10 + 2 + 10 + 9 + 1);
        assertThatThrownBy(() -> Event.of(1, 1, "k", 1, -1, new byte[0])).hasMessageContaining("timestamp");
    }

    @Test
    void eventMustFitInOneFrame() {
        // type 1 + schema 1 + chunk(empty key) 1 + offset 1 + timestamp 1 + varint(n) 3 + n: n = 65,525 at most.
        byte[] largest = new byte[Limits.MAX_PUBLISH_PAYLOAD - 8];
        Event fits = new Event(1, 1, new byte[0], 1, 1, largest);
        assertThat(fits.publishPayloadSize()).isEqualTo(Limits.MAX_PUBLISH_PAYLOAD);
        assertThatThrownBy(() -> new Event(1, 1, new byte[0], 1, 1, new byte[largest.length + 1]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("too large for one frame").hasMessageContaining("65533");
    }

    @Test
    void eventIsImmutable() {
        byte[] key = {1, 2};
        byte[] data = {3};
        Event event = new Event(1, 1, key, 1, 1, data);
        key[0] = 9;
        data[0] = 9;
        event.key()[1] = 9;
        assertThat(event.key()).containsExactly(1, 2);
        assertThat(event.eventData()).containsExactly(3);
    }

    @Test
    void eventFromSlicesCopiesOnlyTheRanges() {
        byte[] frame = {9, 'k', 'e', 'y', 9, 1, 2, 9};
        Event event = new Event(1, 1, frame, 1, 3, 5, 6, frame, 5, 2);
        frame[1] = 'x';
        assertThat(event).isEqualTo(new Event(1, 1, "key".getBytes(java.nio.charset.StandardCharsets.UTF_8), 5, 6,
                new byte[] {1, 2}));
        assertThatThrownBy(() -> new Event(1, 1, frame, 6, 3, 5, 6, frame, 0, 0))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void ackKeyIdentifiesAnEventByTypeKeyAndOffset() {
        Event a = Event.of(1, 1, "kitchen", 3, 100, new byte[] {1});
        Event b = Event.of(1, 2, "kitchen", 3, 200, new byte[] {2});
        assertThat(a.ackKey()).isEqualTo(b.ackKey()).hasSameHashCodeAs(b.ackKey());
        assertThat(a.ackKey()).isNotEqualTo(AckKey.of(1, "kitchen", 4)).isNotEqualTo(AckKey.of(2, "kitchen", 3));
        assertThat(a.ackKey()).hasToString("(1, \"kitchen\", 3)");
        assertThat(new AckKey(1, new byte[] {0, (byte) 0xff}, 1)).hasToString("(1, \"\\u{0}\\xFF\", 1)");
        assertThat(AckKey.of(1, "k\n2026-12-02 | INFO | FORGED\u001b[2J\u2028\u202E", 1))
                .hasToString("(1, \"k\\n2026-12-02 | INFO | FORGED\\e[2J\\u{2028}\\u{202E}\", 1)");
        assertThat(Nack.of("bad\u0085", "x\ny").toString()).isEqualTo("Nack[machine=\"bad\\u{85}\", human=\"x\\ny\"]");
    }

    @Test
    void varintSizes() {
        assertThat(Limits.varintSize(0)).isEqualTo(1);
        assertThat(Limits.varintSize(127)).isEqualTo(1);
        assertThat(Limits.varintSize(128)).isEqualTo(2);
        assertThat(Limits.varintSize(1_700_000_000L)).isEqualTo(5);
        assertThat(Limits.varintSize(Long.MAX_VALUE)).isEqualTo(9);
        assertThat(Limits.varintSize(-1)).as("unsigned 2^64-1").isEqualTo(10);
    }

    @Test
    void instanceIdsAreUnsigned32Bit() {
        assertThat(new InstanceId(0).value()).isZero();
        assertThat(new InstanceId(4_294_967_295L).value()).isEqualTo(4_294_967_295L);
        assertThatThrownBy(() -> new InstanceId(4_294_967_296L)).hasMessageContaining("4294967295");
        assertThatThrownBy(() -> new InstanceId(-1)).isInstanceOf(IllegalArgumentException.class);
        Random random = new Random(1);
        for (int i = 0; i < 1000; i++) {
            assertThat(InstanceId.random(random).value()).isBetween(0L, Limits.MAX_INSTANCE_ID);
        }
    }

    @Test
    void nackMustFitInOneFrame() {
        assertThat(Nack.of("E42", "rejected").machineMessageAsString()).isEqualTo("E42");
        assertThatThrownBy(() -> new Nack(new byte[0], "x".repeat(Limits.MAX_PUBLISH_PAYLOAD)))
                .hasMessageContaining("too large");
    }

    @Test
    void connectionResponsesByCode() {
        for (ConnectionResponse response : ConnectionResponse.values()) {
            assertThat(ConnectionResponse.fromCode(response.code())).isSameAs(response);
        }
        assertThat(ConnectionResponse.fromCode(6)).isNull();
        assertThat(ConnectionResponse.fromCode(-1)).isNull();
        assertThat(ConnectionResponse.HELLO_NEW_CLIENT.protocolName()).isEqualTo("hello_new_client");
        assertThat(ConnectionResponse.HELLO_NEW_CLIENT.isConnected()).isTrue();
        assertThat(ConnectionResponse.QUARANTINED.isConnected()).isFalse();
    }
}
