package io.sink.server.commands.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.util.Arrays;
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
    void withoutServicesTheCommandsSaySo() {
        ServerCommands commands = new ServerCommands();
        org.assertj.core.api.Assertions.assertThatThrownBy(commands::clients)
                .hasMessageContaining("no Sink server runs here");
    }
}
