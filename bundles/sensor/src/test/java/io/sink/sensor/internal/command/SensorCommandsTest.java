package io.sink.sensor.internal.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.sensor.LoggedReading;
import io.sink.sensor.Reading;
import io.sink.sensor.internal.SensorLog;
import io.sink.store.memory.internal.MemoryEventLog;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.time.Clock;
import java.util.Random;
import org.apache.felix.service.command.Descriptor;
import org.junit.jupiter.api.Test;

class SensorCommandsTest {
    private final MemoryEventLog log = new MemoryEventLog(100, new Random(1), s -> { });
    private final SensorCommands commands = new SensorCommands(new SensorLog(() -> log, Clock.systemUTC()));

    @Test
    void logAndLastReturnValues() {
        LoggedReading logged = commands.log("kitchen", 70, 40);
        assertThat(logged.reading().offset()).isEqualTo(1);
        assertThat(logged.toString()).contains("kitchen #1").contains("temperature 70, humidity 40");
        assertThat(commands.last()).extracting(Reading::sensor).containsExactly("kitchen");
        assertThat(commands.last("kitchen")).isEqualTo(logged.reading());
        assertThat(commands.last("attic")).isEqualTo("no reading of sensor attic yet");
        assertThatThrownBy(() -> commands.log("kitchen", 7000, 40)).hasMessageContaining("temperature 7000");
    }

    @Test
    void everyCommandAndParameterIsDescribed() {
        for (Method m : SensorCommands.class.getDeclaredMethods()) {
            if (!java.lang.reflect.Modifier.isPublic(m.getModifiers())) {
                continue;
            }
            assertThat(m.getAnnotation(Descriptor.class)).as(m.getName()).isNotNull();
            for (Parameter p : m.getParameters()) {
                assertThat(p.getAnnotation(Descriptor.class)).as(m.getName() + " " + p.getName()).isNotNull();
            }
        }
    }
}
