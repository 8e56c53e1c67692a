package io.sink.sensor.config.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.sink.api.Event;
import io.sink.api.Nack;
import io.sink.api.server.RetryLaterException;
import io.sink.protocol.etf.SensorConfig;
import io.sink.protocol.etf.SensorConfigCodec;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/** The applier against an in-memory Configuration Admin that counts its writes. */
class SensorConfigApplierTest {
    private static final UUID ID = UUID.fromString("0b5e7d1c-9a34-4f7e-8a1b-2c3d4e5f6a7b");
    private static final String PID = "io.sink.sensor.simulated~" + ID;

    private final FakeConfigAdmin cm = new FakeConfigAdmin();
    private final SensorConfigApplier applier = new SensorConfigApplier(cm.proxy(), Runnable::run);

    private Optional<Nack> handle(Event event) {
        return applier.handle(event).toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
    }

    private static Event event(long offset, SensorConfig config) {
        return SensorConfigCodec.event(ID, offset, 1000, config);
    }

    @Test
    void addChangeRemoveThroughConfigurationAdminEachIdempotent() {
        assertThat(handle(event(1, SensorConfig.add("Hall", "simulated", 2000)))).isEmpty();
        assertThat(cm.store).containsOnlyKeys(PID);
        assertThat(cm.store.get(PID)).containsEntry("name", ID.toString()).containsEntry("label", "Hall")
                .containsEntry("periodMillis", 2000L).containsEntry("sink.sensor.origin", "server")
                .containsEntry("sink.sensor.id", ID.toString());
        assertThat(cm.writes.get()).isEqualTo(1);
        // the same event again (a lost ACK): ACKed, nothing written
        assertThat(handle(event(1, SensorConfig.add("Hall", "simulated", 2000)))).isEmpty();
        assertThat(cm.writes.get()).isEqualTo(1);

        assertThat(handle(event(2, SensorConfig.change("Big hall", "simulated", 500)))).isEmpty();
        assertThat(cm.store.get(PID)).containsEntry("label", "Big hall").containsEntry("periodMillis", 500L);
        assertThat(handle(event(2, SensorConfig.change("Big hall", "simulated", 500)))).isEmpty();
        assertThat(cm.writes.get()).isEqualTo(2);

        assertThat(handle(event(3, SensorConfig.remove()))).isEmpty();
        assertThat(cm.store).isEmpty();
        assertThat(handle(event(3, SensorConfig.remove()))).isEmpty();
        assertThat(cm.writes.get()).isEqualTo(3);
    }

    @Test
    void aChangeOfASensorNotHereCreatesIt() {
        assertThat(handle(event(5, SensorConfig.change("Hall", "simulated", 2000)))).isEmpty();
        assertThat(cm.store.get(PID)).containsEntry("label", "Hall");
    }

    @Test
    void refusalsAreNacksWithTheirReason() {
        Nack nack = handle(Event.of(2, 2, ID.toString(), 1, 1, SensorConfigCodec.encode(SensorConfig.remove())))
                .orElseThrow();
        assertThat(nack.machineMessageAsString()).isEqualTo("unsupported_schema");
        assertThat(nack.humanMessage()).contains("schema 2 is not supported");

        nack = handle(event(1, SensorConfig.add("Hall", "thermometer", 2000))).orElseThrow();
        assertThat(nack.machineMessageAsString()).isEqualTo("unsupported_kind");
        assertThat(nack.humanMessage()).contains("\"thermometer\" is not supported");

        nack = handle(event(1, SensorConfig.add("Hall", "simulated", 5))).orElseThrow();
        assertThat(nack.machineMessageAsString()).isEqualTo("unsupported_period");

        nack = handle(Event.of(2, 1, ID.toString(), 1, 1, new byte[] {(byte) 131, 106})).orElseThrow();
        assertThat(nack.machineMessageAsString()).isEqualTo("malformed");
        assertThat(nack.humanMessage()).contains("expected a map");

        nack = handle(Event.of(2, 1, "kitchen", 1, 1, SensorConfigCodec.encode(SensorConfig.remove()))).orElseThrow();
        assertThat(nack.machineMessageAsString()).isEqualTo("malformed");
        assertThat(nack.humanMessage()).contains("\"kitchen\" is not a uuid");
        assertThat(cm.writes.get()).isZero();
    }

    @Test
    void aConfigurationAdminFailureIsRetryLaterNotANack() {
        cm.failing = true;
        assertThat(applier.handle(event(1, SensorConfig.add("Hall", "simulated", 2000))).toCompletableFuture())
                .failsWithin(10, TimeUnit.SECONDS).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(RetryLaterException.class).withMessageContaining("disk full");
        assertThat(cm.store).isEmpty();
        cm.failing = false;
        assertThat(handle(event(1, SensorConfig.add("Hall", "simulated", 2000)))).isEmpty();
        assertThat(cm.store).containsOnlyKeys(PID);
    }

    @Test
    void listShowsTheOrigin() {
        Hashtable<String, Object> local = new Hashtable<>(Map.of("name", "kitchen", "periodMillis", 10000L));
        assertThat(SensorListCommand.line(local)).isEqualTo("local  \"kitchen\" every 10000 ms");
        Hashtable<String, Object> server = new Hashtable<>(SensorConfigApplier.properties(ID,
                SensorConfig.add("Hall", "simulated", 2000)));
        server.put("label", "Hall\u001b"); // escaped, whatever a configuration holds
        assertThat(SensorListCommand.line(server))
                .isEqualTo("server \"" + ID + "\" label \"Hall\\e\" every 2000 ms");
    }

    /** Configuration Admin in memory, as a proxy: the few methods the applier calls. */
    private static final class FakeConfigAdmin {
        final Map<String, Hashtable<String, Object>> store = new LinkedHashMap<>();
        final AtomicInteger writes = new AtomicInteger();
        volatile boolean failing;

        ConfigurationAdmin proxy() {
            return (ConfigurationAdmin) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {ConfigurationAdmin.class}, (p, m, args) -> switch (m.getName()) {
                        case "listConfigurations" -> {
                            if (failing) {
                                throw new IOException("disk full");
                            }
                            Matcher pid = Pattern.compile("\\(service\\.pid=(.*)\\)").matcher((String) args[0]);
                            yield pid.matches() && store.containsKey(pid.group(1))
                                    ? new Configuration[] {configuration(pid.group(1))} : null;
                        }
                        case "getFactoryConfiguration" -> configuration(args[0] + "~" + args[1]);
                        default -> throw new UnsupportedOperationException(m.getName());
                    });
        }

        Configuration configuration(String pid) {
            return (Configuration) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {Configuration.class}, (p, m, args) -> switch (m.getName()) {
                        case "getPid" -> pid;
                        case "getProperties" -> store.get(pid);
                        case "update" -> {
                            if (failing) {
                                throw new IOException("disk full");
                            }
                            @SuppressWarnings("unchecked")
                            Dictionary<String, Object> d = (Dictionary<String, Object>) args[0];
                            Hashtable<String, Object> copy = new Hashtable<>();
                            for (var keys = d.keys(); keys.hasMoreElements();) {
                                String k = keys.nextElement();
                                copy.put(k, d.get(k));
                            }
                            store.put(pid, copy);
                            writes.incrementAndGet();
                            yield null;
                        }
                        case "delete" -> {
                            store.remove(pid);
                            writes.incrementAndGet();
                            yield null;
                        }
                        default -> throw new UnsupportedOperationException(m.getName());
                    });
        }
    }
}
