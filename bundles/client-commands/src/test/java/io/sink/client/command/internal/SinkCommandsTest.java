package io.sink.client.command.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.api.AckKey;
import io.sink.api.ConnectionStats;
import io.sink.api.Event;
import io.sink.api.Nack;
import io.sink.api.PublishResult;
import io.sink.api.client.SinkClient;
import io.sink.poller.ParkedEvent;
import io.sink.poller.PollerService;
import io.sink.poller.PollerStatus;
import io.sink.store.memory.internal.MemoryEventLog;
import io.sink.testsupport.LogOutbox;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The commands over stand-in services, called directly and through a real Gogo command processor. */
class SinkCommandsTest {
    private final MemoryEventLog log = new MemoryEventLog(100, new Random(1), s -> { });
    private final StubClient client = new StubClient();
    private final StubPoller poller = new StubPoller();
    private final SinkCommands commands = new SinkCommands(client, new LogOutbox(log, "memory"), poller);
    private ThreadIOImpl threadIo;
    private CommandProcessorImpl processor;
    private CommandSession session;

    @BeforeEach
    void gogo() {
        threadIo = new ThreadIOImpl();
        threadIo.start();
        processor = new CommandProcessorImpl(threadIo);
        for (String function : new String[] {"connected", "queuesize", "nextevent", "status", "nacks", "resume"}) {
            processor.addCommand("sink", commands, function);
        }
        processor.addCommand("sink", new QueueSizeCommand(commands), "queue-size");
        processor.addCommand("sink", new NextEventCommand(commands), "next-event");
        session = processor.createSession(new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(),
                new ByteArrayOutputStream());
    }

    @AfterEach
    void stopGogo() {
        session.close();
        processor.stop();
        threadIo.stop();
    }

    @Test
    void connectedQueueSizeAndNextEventThroughTheShell() throws Exception {
        assertThat(session.execute("sink:connected")).isEqualTo(false);
        client.connected = true;
        assertThat(session.execute("sink:connected")).isEqualTo(true);

        assertThat(session.execute("sink:queue-size")).isEqualTo(0L);
        assertThat(session.execute("sink:next-event")).isEqualTo("no unacknowledged event");
        Event first = log.appendNext(1, 1, "kitchen".getBytes(), 5, new byte[] {1}).event();
        log.appendNext(1, 1, "kitchen".getBytes(), 6, new byte[] {2});
        assertThat(session.execute("sink:queue-size")).isEqualTo(2L);
        assertThat(session.execute("sink:queuesize")).isEqualTo(2L);
        assertThat(session.execute("sink:next-event")).isEqualTo(first);
        assertThat(session.execute("sink:nextevent")).isEqualTo(first);
        assertThatThrownBy(() -> session.execute("sink:queue-size extra"))
                .hasMessage("wrong arguments (1 given: extra); usage: sink:queue-size");
    }

    @Test
    void statusNacksAndResumeThroughTheShell() throws Exception {
        PollerStatus shown = (PollerStatus) session.execute("sink:status");
        assertThat(shown.streams()).isEqualTo(poller.status.streams());
        assertThat(shown.eventLog()).isEqualTo(poller.status.eventLog());
        assertThat(shown.server()).as("the connection as the client service tells it").isEqualTo(client.server());
        assertThat(shown.connected()).isEqualTo(client.connected());
        assertThat(session.execute("sink:nacks")).isEqualTo("no stream is parked");
        ParkedEvent parked = new ParkedEvent("config", 3, Event.of(2, 1, "bad", 1, 1, new byte[0]),
                Nack.of("E1", "refused"), Instant.EPOCH);
        poller.parked.add(parked);
        assertThat(session.execute("sink:nacks")).isEqualTo(List.of(parked));
        assertThat(session.execute("sink:resume config")).isEqualTo("stream config resumed");
        assertThat(poller.resumed).containsExactly("config");
        assertThat(session.execute("sink:resume config")).isEqualTo("stream config is not parked");
        assertThatThrownBy(() -> session.execute("sink:resume nope")).hasMessageContaining("no stream nope");
    }

    @Test
    void wrongOrMissingArgumentsGiveTheUsage() {
        String[][] cases = {
            {"sink:connected yes", "wrong arguments (1 given: yes); usage: sink:connected"},
            {"sink:queuesize 1 2", "wrong arguments (2 given: 1 2); usage: sink:queuesize"},
            {"sink:nextevent x", "wrong arguments (1 given: x); usage: sink:nextevent"},
            {"sink:next-event x", "wrong arguments (1 given: x); usage: sink:next-event"},
            {"sink:status now", "wrong arguments (1 given: now); usage: sink:status"},
            {"sink:nacks all", "wrong arguments (1 given: all); usage: sink:nacks"},
            {"sink:resume", "no arguments given; usage: sink:resume <stream>"},
            {"sink:resume a b", "wrong arguments (2 given: a b); usage: sink:resume <stream>"},
            {"sink:resume ' '", "stream name is missing; usage: sink:resume <stream>"},
        };
        for (String[] c : cases) {
            assertThatThrownBy(() -> session.execute(c[0])).as(c[0]).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(c[1]);
        }
        assertThat(poller.resumed).isEmpty();
    }

    @Test
    void whatTheServerSentIsEscapedInTheOutput() throws Exception {
        ParkedEvent parked = new ParkedEvent("config", 3, Event.of(2, 1, "bad\u001b[2J", 1, 1, new byte[0]),
                Nack.of("E\u0085", "refused\n2026-12-02 | INFO | FORGED\u001b]0;pwned\u0007"), Instant.EPOCH);
        poller.parked.add(parked);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CommandSession printing = processor.createSession(new ByteArrayInputStream(new byte[0]), out, out)) {
            Object result = printing.execute("sink:nacks");
            String shown = String.valueOf(printing.format(result, org.apache.felix.service.command.Converter.INSPECT));
            assertThat(shown).contains("event (2, \"bad\\e[2J\", 1)", "machine message \"E\\u{85}\"",
                    "human message \"refused\\n2026-12-02 | INFO | FORGED\\e]0;pwned\\u{7}\"")
                    .doesNotContain("\u001b", "\u0085", "\u0007", "\n2026");
        }
    }

    @Test
    void withoutTheServicesTheCommandsSaySo() {
        SinkCommands orphan = new SinkCommands(null, null, null);
        assertThat(orphan.connected()).isFalse();
        assertThatThrownBy(orphan::queueSize).hasMessageContaining("no outbox is available");
        assertThatThrownBy(orphan::status).hasMessageContaining("the poller is not running");
    }

    @Test
    void everyCommandAndParameterIsDescribed() {
        List<Method> methods = new ArrayList<>(List.of(SinkCommands.class.getDeclaredMethods()));
        methods.addAll(List.of(HyphenatedCommand.class.getDeclaredMethods()));
        for (Method m : methods) {
            if (!Modifier.isPublic(m.getModifiers())) {
                continue;
            }
            assertThat(m.getAnnotation(Descriptor.class)).as(m.getName()).isNotNull();
            for (Parameter p : m.getParameters()) {
                assertThat(p.getAnnotation(Descriptor.class)).as(m.getName() + " " + p.getName()).isNotNull();
            }
        }
    }

    static final class StubClient implements SinkClient {
        volatile boolean connected;

        @Override
        public boolean connected() {
            return connected;
        }

        @Override
        public CompletionStage<PublishResult> publish(Event event) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int windowAvailable() {
            return 0;
        }

        @Override
        public List<AckKey> inFlight() {
            return List.of();
        }

        @Override
        public Optional<ConnectionStats> stats() {
            return Optional.empty();
        }

        @Override
        public String server() {
            return "stub:4000";
        }
    }

    static final class StubPoller implements PollerService {
        final PollerStatus status = new PollerStatus(true, "stub:4000", Optional.empty(), Optional.empty(), "memory", 1, 0, List.of(),
                0, 0, 0, 0, 0);
        final List<ParkedEvent> parked = new ArrayList<>();
        final List<String> resumed = new ArrayList<>();

        @Override
        public PollerStatus status() {
            return status;
        }

        @Override
        public List<ParkedEvent> nacks() {
            return List.copyOf(parked);
        }

        @Override
        public boolean resume(String stream) {
            if (!stream.equals("config")) {
                throw new IllegalArgumentException("no stream " + stream);
            }
            boolean was = !parked.isEmpty();
            parked.clear();
            if (was) {
                resumed.add(stream);
            }
            return was;
        }
    }
}
