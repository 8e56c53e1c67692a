package io.sink.server.commands.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.sink.api.InstanceId;
import io.sink.api.server.ConnectedClient;
import io.sink.api.text.GogoShell;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.felix.service.command.Descriptor;
import org.junit.jupiter.api.Test;

/** The Gogo face of the commands: every function and parameter described, and values returned. */
class ServerCommandsTest {
    static final Set<String> FUNCTIONS = Set.of("connected", "clients", "freshness", "events", "quarantine",
            "unquarantine", "forget");

    @Test
    void everyFunctionAndParameterHasADescriptorAndReturnsAValue() {
        Set<String> found = Arrays.stream(ServerCommands.class.getDeclaredMethods())
                .filter(m -> Modifier.isPublic(m.getModifiers()))
                .peek(m -> {
                    assertThat(m.getAnnotation(Descriptor.class)).as(m.getName()).isNotNull();
                    assertThat(m.getReturnType()).as(m.getName()).isNotEqualTo(void.class);
                    for (Parameter p : m.getParameters()) {
                        assertThat(p.getAnnotation(Descriptor.class)).as(m.getName() + " " + p).isNotNull();
                    }
                })
                .map(Method::getName).collect(Collectors.toSet());
        assertThat(found).isEqualTo(FUNCTIONS);
    }

    @Test
    void inTheShellBadOrMissingArgumentsGiveTheUsage() {
        ServerCommandsLogicTest t = new ServerCommandsLogicTest();
        ServerCommands commands = new ServerCommands(t.server, t.admin, t.store);
        String[][] cases = {
            {"sink:events example-client 4294967297", "count 4294967297 is out of range: it must be between 1 and"
                    + " 1000; usage: sink:events <client-id> [count 1..1000]"},
            {"sink:events example-client 0", "count 0 is out of range: it must be between 1 and 1000; usage:"
                    + " sink:events <client-id> [count 1..1000]"},
            {"sink:events example-client ten", "count ten is not a whole number; usage: sink:events <client-id>"
                    + " [count 1..1000]"},
            {"sink:events", "no arguments given; usage: sink:events <client-id> [count 1..1000]"},
            {"sink:events a 1 2", "wrong arguments (3 given: a 1 2); usage: sink:events <client-id> [count 1..1000]"},
            {"sink:connected", "no arguments given; usage: sink:connected <client-id>"},
            {"sink:clients x", "wrong arguments (1 given: x); usage: sink:clients"},
            {"sink:freshness", "no arguments given; usage: sink:freshness <client-id>"},
            {"sink:quarantine example-client stolen", "wrong arguments (2 given: example-client stolen); usage:"
                    + " sink:quarantine <client-id> <machine> <human>"},
            {"sink:unquarantine", "no arguments given; usage: sink:unquarantine <client-id>"},
            {"sink:forget a b", "wrong arguments (2 given: a b); usage: sink:forget <client-id>"},
        };
        try (GogoShell shell = new GogoShell("sink", commands)) {
            for (String[] c : cases) {
                assertThat(shell.run(c[0])).as(c[0]).isEqualTo("gogo: IllegalArgumentException: " + c[1]);
            }
            assertThat(shell.run("sink:events example-client 3")).isEqualTo("example-client: 0 events stored");
            assertThat(shell.run("sink:quarantine example-client stolen 'reported stolen'"))
                    .isEqualTo("quarantined example-client");
            assertThat(t.admin.calls).containsExactly("quarantine example-client stolen reported stolen");
        }
    }

    @Test
    void aForgedVersionReachesTheTerminalEscaped() {
        ServerCommandsLogicTest t = new ServerCommandsLogicTest();
        t.server.clients.add(new ConnectedClient("example-client", new InstanceId(1), Optional.empty(),
                "1.0\u001b]0;pwned\u0007\u001bc\u001b[2J\n2026-12-02 | INFO | FORGED LINE", null));
        t.server.freshness = Map.of(-1L, 5L, 1L, 6L);
        try (GogoShell shell = new GogoShell("sink", new ServerCommands(t.server, t.admin, t.store))) {
            String shown = shell.run("sink:clients");
            assertThat(shown).contains("example-client, application \"1.0\\e]0;pwned\\u{7}\\ec\\e[2J\\n2026-12-02 |"
                    + " INFO | FORGED LINE\", client instance id 1").doesNotContain("\u001b", "\u0007")
                    .hasLineCount(2);
            assertThat(shell.run("sink:freshness example-client")).contains("event type 1: 6",
                    "event type 18446744073709551615: 5");
        }
    }

    @Test
    void withoutServicesTheCommandsSaySo() {
        ServerCommands commands = new ServerCommands();
        org.assertj.core.api.Assertions.assertThatThrownBy(commands::clients)
                .hasMessageContaining("no Sink server runs here");
    }
}
