package io.sink.protocol;

import io.sink.api.Event;
import io.sink.api.Nack;
import io.sink.protocol.etf.SensorReading;
import io.sink.protocol.etf.SensorReadingCodec;
import io.sink.protocol.testing.Decoders;
import io.sink.protocol.testing.Generators;
import io.sink.protocol.testing.Mutations;
import io.sink.protocol.testing.Mutations.Mutation;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.Size;

/**
 * Random and damaged input to every decoder: only results or {@link ProtocolException}s may come
 * out, never another exception, and never a different outcome when the same bytes sit inside a
 * larger array (which would mean a decoder read outside its range).
 */
class FuzzProperties {

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
    Arbitrary<List<Event>> batches() {
        return Generators.batches();
    }

    @Provide
    Arbitrary<SensorReading> readings() {
        return Generators.readings();
    }

    @Provide
    Arbitrary<List<Mutation>> mutations() {
        return Mutations.mutations();
    }

    @Property
    void randomBytes(@ForAll @Size(max = 300) byte[] input, @ForAll byte filler) {
        Decoders.decodeWithEveryDecoder(input, filler);
    }

    @Property
    void mutatedFrames(@ForAll("frames") Frame frame, @ForAll("mutations") List<Mutation> mutations,
            @ForAll byte filler) {
        boolean accepted = Decoders.decodeWithEveryDecoder(Mutations.apply(FrameCodec.encode(frame), mutations), filler);
        Decoders.decodeWithEveryDecoder(Mutations.apply(FrameCodec.encodeWithLengthPrefix(frame), mutations), filler);
        // Both paths of the frame decoder must be exercised, or this property proves little.
        Statistics.label("damaged frame").collect(accepted ? "accepted" : "rejected");
        Statistics.label("damaged frame").coverage(coverage -> {
            coverage.check("accepted").percentage(p -> p > 5);
            coverage.check("rejected").percentage(p -> p > 5);
        });
    }

    @Property
    void mutatedPayloads(@ForAll("events") Event event, @ForAll("nacks") Nack nack,
            @ForAll("mutations") List<Mutation> mutations, @ForAll byte filler) {
        Decoders.decodeWithEveryDecoder(Mutations.apply(PublishPayload.encode(event), mutations), filler);
        Decoders.decodeWithEveryDecoder(Mutations.apply(NackPayload.encode(nack), mutations), filler);
    }

    @Property
    void mutatedBatchesAndSnapshots(@ForAll("batches") List<Event> events,
            @ForAll("mutations") List<Mutation> mutations, @ForAll byte filler) {
        byte[] batch = Batch.encode(events);
        Decoders.decodeWithEveryDecoder(Mutations.apply(batch, mutations), filler);
        Decoders.decodeWithEveryDecoder(Mutations.apply(Snapshot.encode(List.of(events, events)), mutations), filler);
    }

    @Property
    void mutatedSensorReadings(@ForAll("readings") SensorReading reading,
            @ForAll("mutations") List<Mutation> mutations, @ForAll byte filler) {
        Decoders.decodeWithEveryDecoder(Mutations.apply(SensorReadingCodec.encode(reading), mutations), filler);
    }
}
