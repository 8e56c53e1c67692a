package io.sink.protocol.etf;

import static org.assertj.core.api.Assertions.assertThat;

import io.sink.protocol.ProtocolException;
import io.sink.protocol.testing.Rejections;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Every valid sensor configuration round-trips; a damaged encoding decodes or is a ProtocolException. */
class SensorConfigProperties {

    @Provide
    Arbitrary<SensorConfig> configs() {
        Arbitrary<String> names = Arbitraries.strings().withCharRange('!', '~').withChars("äöü ☃")
                .ofMinLength(1).ofMaxLength(60).filter(n -> SensorConfig.nameProblem(n) == null);
        Arbitrary<String> kinds = Arbitraries.strings().withCharRange('a', 'z').withChars("_-0")
                .ofMinLength(1).ofMaxLength(64);
        Arbitrary<Integer> periods = Arbitraries.oneOf(Arbitraries.integers().between(1, 300),
                Arbitraries.integers().between(1, Integer.MAX_VALUE));
        Arbitrary<SensorConfig> changes = Combinators.combine(Arbitraries.of(SensorConfig.Op.ADD,
                SensorConfig.Op.CHANGE), names, kinds, periods).as(SensorConfig::new);
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(5, changes),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(SensorConfig.remove())));
    }

    @Property
    void roundTrips(@ForAll("configs") SensorConfig config) throws ProtocolException {
        assertThat(SensorConfigCodec.decode(SensorConfigCodec.encode(config))).isEqualTo(config);
    }

    @Property
    void damagedEncodingsAreDecodedOrRefusedTyped(@ForAll("configs") SensorConfig config,
            @ForAll int position, @ForAll byte value, @ForAll boolean truncate) {
        byte[] bytes = SensorConfigCodec.encode(config);
        int at = Math.floorMod(position, bytes.length);
        byte[] damaged = truncate ? java.util.Arrays.copyOf(bytes, at) : bytes.clone();
        if (!truncate) {
            damaged[at] = value;
        }
        Rejections.onlyProtocolException(() -> SensorConfigCodec.decode(damaged));
    }
}
