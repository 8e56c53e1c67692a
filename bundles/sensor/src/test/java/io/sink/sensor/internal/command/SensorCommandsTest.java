package io.sink.sensor.internal.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.api.text.GogoShell;
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
    private final SensorCommands commands = new SensorCommands(new SensorLog(() -> new io.sink.testsupport.LogOutbox(log, "memory"), Clock.systemUTC()));

    @Test
    void logAndLastReturnValues() {
        LoggedReading logged = commands.log("kitchen", "70", "40");
        assertThat(logged.reading().offset()).isEqualTo(1);
        assertThat(logged.toString()).contains("kitchen #1").contains("temperature 70, humidity 40");
        assertThat(commands.last()).extracting(Reading::sensor).containsExactly("kitchen");
        assertThat(commands.last("kitchen")).isEqualTo(logged.reading());
        assertThat(commands.last("attic")).isEqualTo("no reading of sensor attic yet");
        assertThatThrownBy(() -> commands.log("kitchen", "7000", "40")).hasMessageContaining("temperature 7000");
    }

    @Test
    void inTheShellNumbersAreNeverWrappedAndBadInputGivesTheUsage() {
        String usage = "; usage: sensor:log <name> <temperature -273..1000> <humidity 0..100>";
        try (GogoShell shell = new GogoShell("sensor", commands)) {
            assertThat(shell.run("sensor:log kitchen 70 40")).startsWith("logged kitchen #1 at ")
                    .endsWith("temperature 70, humidity 40 (log sequence 1)");
            // Gogo's own int conversion would store 20 and 40
            assertThat(shell.run("sensor:log wrap 4294967316 4294967336")).isEqualTo("gogo: IllegalArgumentException:"
                    + " temperature 4294967316 is out of range: it must be between -273 and 1000 degrees" + usage);
            assertThat(shell.run("sensor:log wrap 20 4294967336")).isEqualTo("gogo: IllegalArgumentException:"
                    + " humidity 4294967336 is out of range: it must be between 0 and 100 percent" + usage);
            assertThat(shell.run("sensor:log kitchen 99999999999 40")).isEqualTo("gogo: IllegalArgumentException:"
                    + " temperature 99999999999 is out of range: it must be between -273 and 1000 degrees" + usage);
            assertThat(shell.run("sensor:log kitchen hot 40"))
                    .isEqualTo("gogo: IllegalArgumentException: temperature hot is not a whole number" + usage);
            assertThat(shell.run("sensor:log kitchen 70 4.5"))
                    .isEqualTo("gogo: IllegalArgumentException: humidity 4.5 is not a whole number" + usage);
            assertThat(shell.run("sensor:log kitchen 70"))
                    .isEqualTo("gogo: IllegalArgumentException: wrong arguments (2 given: kitchen 70)" + usage);
            assertThat(shell.run("sensor:log"))
                    .isEqualTo("gogo: IllegalArgumentException: no arguments given" + usage);
            assertThat(shell.run("sensor:log kitchen 70 40 1"))
                    .isEqualTo("gogo: IllegalArgumentException: wrong arguments (4 given: kitchen 70 40 1)" + usage);
            assertThat(shell.run("sensor:log ' kitchen' 70 40")).startsWith("gogo: IllegalArgumentException: sensor"
                    + " name \" kitchen\" must not start or end with white space" + usage);
            assertThat(shell.run("sensor:last a b"))
                    .isEqualTo("gogo: IllegalArgumentException: wrong arguments (2 given: a b); usage: sensor:last [name]");
            assertThat(shell.run("sensor:last attic")).isEqualTo("no reading of sensor attic yet");
            assertThat(shell.run("sensor:last")).contains("kitchen #1");
        }
        assertThat(log.queueSize()).as("only the one good reading was logged").isEqualTo(1);
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
