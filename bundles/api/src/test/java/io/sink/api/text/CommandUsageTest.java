package io.sink.api.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class CommandUsageTest {
    private final CommandUsage usage = new CommandUsage("sensor:log <name> <temperature> <humidity>");

    @Test
    void numbersAreCheckedAsTypedNeverWrapped() {
        assertThat(usage.wholeNumber("temperature", "70", -273, 1000, "degrees")).isEqualTo(70);
        assertThat(usage.wholeNumber("temperature", " -273 ", -273, 1000, "degrees")).isEqualTo(-273);
        assertThat(usage.wholeNumber("temperature", "+5", -273, 1000, "degrees")).isEqualTo(5);
        // 4294967316 is 20 once wrapped into an int
        assertThatThrownBy(() -> usage.wholeNumber("temperature", "4294967316", -273, 1000, "degrees"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("temperature 4294967316 is out of range: it must be between -273 and 1000 degrees; "
                        + "usage: sensor:log <name> <temperature> <humidity>");
        assertThatThrownBy(() -> usage.wholeNumber("temperature", "99999999999", -273, 1000, "degrees"))
                .hasMessageStartingWith("temperature 99999999999 is out of range");
        assertThatThrownBy(() -> usage.wholeNumber("count", "99999999999999999999999", 1, 1000, ""))
                .hasMessageStartingWith("count 99999999999999999999999 is out of range: it must be between 1 and 1000;");
    }

    @Test
    void whatIsNotANumberIsNamed() {
        assertThatThrownBy(() -> usage.wholeNumber("temperature", "hot", -273, 1000, "degrees"))
                .hasMessage("temperature hot is not a whole number; usage: sensor:log <name> <temperature> <humidity>");
        assertThatThrownBy(() -> usage.wholeNumber("temperature", "7.5", -273, 1000, "degrees"))
                .hasMessageStartingWith("temperature 7.5 is not a whole number");
        assertThatThrownBy(() -> usage.wholeNumber("temperature", "0x10", -273, 1000, "degrees"))
                .hasMessageStartingWith("temperature 0x10 is not a whole number");
        assertThatThrownBy(() -> usage.wholeNumber("temperature", "7\u001b[2J", -273, 1000, "degrees"))
                .hasMessageStartingWith("temperature \"7\\e[2J\" is not a whole number");
        assertThatThrownBy(() -> usage.wholeNumber("temperature", " ", -273, 1000, "degrees"))
                .hasMessageStartingWith("temperature is missing; usage:");
        assertThatThrownBy(() -> usage.text("client id", null)).hasMessageStartingWith("client id is missing");
    }

    @Test
    void wrongArgumentCountsShowWhatWasGivenAndTheUsage() {
        assertThat(usage.wrongArguments("kitchen", "70")).hasMessage(
                "wrong arguments (2 given: kitchen 70); usage: sensor:log <name> <temperature> <humidity>");
        assertThat(usage.wrongArguments()).hasMessage(
                "no arguments given; usage: sensor:log <name> <temperature> <humidity>");
        assertThat(usage.wrongArguments((Object[]) null)).hasMessageStartingWith("no arguments given");
    }

    @Property
    void everyLongIsReadBackOrRefusedByItsText(@ForAll long value, @ForAll long a, @ForAll long b) {
        long min = Math.min(a, b);
        long max = Math.max(a, b);
        String typed = Long.toString(value);
        if (value >= min && value <= max) {
            assertThat(usage.wholeNumber("n", typed, min, max, "")).isEqualTo(value);
        } else {
            assertThatThrownBy(() -> usage.wholeNumber("n", typed, min, max, ""))
                    .hasMessageStartingWith("n " + typed + " is out of range");
        }
        String beyond = BigInteger.valueOf(value).add(BigInteger.ONE.shiftLeft(64)).toString();
        assertThatThrownBy(() -> usage.wholeNumber("n", beyond, min, max, ""))
                .hasMessageStartingWith("n " + beyond + " is out of range");
    }
}
