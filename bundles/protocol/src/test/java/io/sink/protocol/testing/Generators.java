package io.sink.protocol.testing;

import io.sink.api.ConnectionResponse;
import io.sink.api.Event;
import io.sink.api.InstanceId;
import io.sink.api.Limits;
import io.sink.api.Nack;
import io.sink.protocol.AckFrame;
import io.sink.protocol.ConnectionRequestFrame;
import io.sink.protocol.ConnectionResponseFrame;
import io.sink.protocol.Frame;
import io.sink.protocol.NackFrame;
import io.sink.protocol.PingFrame;
import io.sink.protocol.PongFrame;
import io.sink.protocol.PublishFrame;
import io.sink.protocol.etf.SensorReading;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** Generators of protocol values for the property tests. */
public final class Generators {
    private Generators() {
    }

    /** Unsigned 64-bit values, weighted so that every varint length shows up. */
    public static Arbitrary<Long> unsignedLongs() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.longs().between(0, 127)),
                net.jqwik.api.Tuple.of(3, Arbitraries.longs().between(0, 1L << 21)),
                net.jqwik.api.Tuple.of(3, Arbitraries.longs().between(0, Long.MAX_VALUE)),
                net.jqwik.api.Tuple.of(2, Arbitraries.longs().between(Long.MIN_VALUE, -1)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(0L, 127L, 128L, Long.MAX_VALUE, Long.MIN_VALUE, -1L)));
    }

    /** Timestamps as an {@link Event} accepts them, 0..2^63-1, weighted to small values. */
    public static Arbitrary<Long> eventNumbers() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, Arbitraries.longs().between(0, 127)),
                net.jqwik.api.Tuple.of(3, Arbitraries.longs().between(0, 1L << 35)),
                net.jqwik.api.Tuple.of(2, Arbitraries.longs().between(0, Long.MAX_VALUE)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(0L, 1L, 127L, 128L, Long.MAX_VALUE)));
    }

    public static Arbitrary<byte[]> bytes(int maxLength) {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(maxLength);
    }

    public static Arbitrary<Event> events() {
        return Combinators.combine(unsignedLongs(), unsignedLongs(), bytes(40), unsignedLongs(), eventNumbers(),
                Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(20, bytes(200)), net.jqwik.api.Tuple.of(1, bytes(5000))))
                .as(Event::new);
    }

    /**
     * Lists of events that are often alike (few types, schemas, key and data lengths; increasing
     * offsets), so that every combination of the batch's homogeneous flags is exercised.
     */
    public static Arbitrary<List<Event>> batches() {
        Arbitrary<Event> alike = Combinators.combine(Arbitraries.of(1L, 2L), Arbitraries.of(1L, 7L),
                Arbitraries.of("kitchen", "bedroom", "k"), Arbitraries.longs().between(0, 1000),
                Arbitraries.longs().between(1_700_000_000L, 1_700_000_100L), Arbitraries.of(4, 8).flatMap(Generators::fixed))
                .as((type, schema, key, offset, timestamp, data) -> Event.of(type, schema, key, offset, timestamp, data));
        Arbitrary<Event> any = Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(4, alike),
                net.jqwik.api.Tuple.of(1, events()));
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(1, alike.list().ofMinSize(1).ofMaxSize(30)),
                net.jqwik.api.Tuple.of(1, any.list().ofMinSize(1).ofMaxSize(12)));
    }

    private static Arbitrary<byte[]> fixed(int length) {
        return Arbitraries.bytes().array(byte[].class).ofSize(length);
    }

    /** Text without unpaired surrogates (which UTF-8 cannot carry). */
    public static Arbitrary<String> text(int maxLength) {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.strings().ascii().ofMaxLength(maxLength)),
                net.jqwik.api.Tuple.of(1, Arbitraries.strings().withCharRange('\u0000', '\uD7FF')
                        .withCharRange('\uE000', '\uFFFF').ofMaxLength(maxLength)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of("\uD83D\uDE00", "é", "✓", "\uD83C\uDF21 temp").list()
                        .ofMaxSize(5).map(l -> String.join("", l))));
    }

    public static Arbitrary<Nack> nacks() {
        return Combinators.combine(bytes(64), text(120)).as(Nack::new);
    }

    public static Arbitrary<Integer> messageIds() {
        return Arbitraries.integers().between(0, Limits.MAX_MESSAGE_ID);
    }

    public static Arbitrary<InstanceId> instanceIds() {
        return Arbitraries.longs().between(0, Limits.MAX_INSTANCE_ID).map(InstanceId::new);
    }

    public static Arbitrary<Frame> frames() {
        Arbitrary<Frame> request = Combinators.combine(text(40), instanceIds(), instanceIds().optional())
                .as((version, client, server) -> new ConnectionRequestFrame(version, client, server));
        Arbitrary<Frame> response = Arbitraries.oneOf(
                Arbitraries.of(ConnectionResponse.CONNECTED, ConnectionResponse.INSTANCE_ID_MISMATCH,
                        ConnectionResponse.UNSUPPORTED_PROTOCOL_VERSION,
                        ConnectionResponse.UNSUPPORTED_APPLICATION_VERSION).map(ConnectionResponseFrame::of),
                instanceIds().map(ConnectionResponseFrame::helloNewClient),
                nacks().map(ConnectionResponseFrame::quarantined),
                bytes(40).map(ConnectionResponseFrame::quarantinedPayload));
        Arbitrary<Frame> publish = Arbitraries.oneOf(
                Combinators.combine(messageIds(), events()).as(PublishFrame::of),
                Combinators.combine(messageIds(), bytes(60)).as(PublishFrame::ofPayload));
        Arbitrary<Frame> nack = Arbitraries.oneOf(
                Combinators.combine(messageIds(), nacks()).as(NackFrame::of),
                Combinators.combine(messageIds(), bytes(60)).as(NackFrame::ofPayload));
        return Arbitraries.oneOf(request, response, messageIds().map(AckFrame::new), publish, nack,
                Arbitraries.of(PingFrame.INSTANCE, PongFrame.INSTANCE));
    }

    public static Arbitrary<SensorReading> readings() {
        Arbitrary<Integer> values = Arbitraries.oneOf(Arbitraries.integers(), Arbitraries.integers().between(-300, 300));
        return Combinators.combine(values, values).as(SensorReading::new);
    }
}
