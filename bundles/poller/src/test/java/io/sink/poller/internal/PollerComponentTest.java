package io.sink.poller.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.api.AckKey;
import io.sink.api.InstanceId;
import io.sink.api.Nack;
import io.sink.poller.PollerStatus;
import io.sink.poller.internal.outbox.ClientOutbox;
import io.sink.testsupport.Await;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The component without a framework: references bound by hand as SCR would. */
class PollerComponentTest {
    private final FakeClient client = new FakeClient();
    private final CountingLog log = new CountingLog(1000);
    private final ClientOutbox outbox = ClientOutbox.over(log, log, "memory");
    private PollerComponent component;
    private boolean active;

    private void activate(TestConfig config) {
        component = new PollerComponent(outbox, config, Map.of());
        active = true;
    }

    @AfterEach
    void deactivate() throws Exception {
        if (active) {
            component.deactivate();
        }
        assertThat(client.violations).isEmpty();
    }

    @Test
    void itIsTheClientHandlerBackedByTheInstanceIdStore() throws Exception {
        activate(new TestConfig());
        var ids = component.instanceIds();
        assertThat(ids.server()).isEmpty();
        component.serverInstanceIdReceived(new InstanceId(777));
        assertThat(component.instanceIds().server()).contains(new InstanceId(777));
        assertThat(component.instanceIds().client()).isEqualTo(ids.client());
        assertThat(log.instanceIds()).isEqualTo(component.instanceIds());
    }

    @Test
    void withoutAnInstanceIdStoreTheHandshakeFailsClearly() {
        activate(new TestConfig());
        outbox.useInstanceIds(null);
        assertThatThrownBy(component::instanceIds).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no instance id store");
    }

    @Test
    void connectionAndAppendsDriveThePoller() {
        activate(new TestConfig().window(1).period(3_600_000));
        client.connected = true;
        component.connectionUp(client);
        AckKey a = outbox.appendNext(1, 1, "a".getBytes(), 1, new byte[0]).event().ackKey();
        Await.until("published", () -> client.published.size() == 1);
        client.ack(a);
        Await.until("drained", () -> log.queueSize() == 0);

        PollerStatus status = component.status();
        assertThat(status.connected()).isTrue();
        assertThat(status.server()).isEqualTo("fake:4000");
        assertThat(status.eventLog()).isEqualTo("memory");
        assertThat(status.instanceIds()).contains(log.instanceIds());
        assertThat(status.window()).isEqualTo(1);
        assertThat(status.streams()).hasSize(1);
        assertThat(status.streams().get(0).queued()).isZero();
        assertThat(status.toString()).contains("connected      true").contains("default (all types)");
    }

    @Test
    void theStatusSaysWhyTheClientIsNotConnected() {
        activate(new TestConfig());
        component.connectionUp(client); // the client the transport hands over; the connection then drops
        client.connected = false;
        client.problem = "the server quarantined this client: reported stolen (Nack[machine=\"stolen\", ...])";
        PollerStatus status = component.status();
        assertThat(status.connected()).isFalse();
        assertThat(status.problem()).contains(client.problem);
        assertThat(status.toString()).startsWith("connected      false (the server quarantined this client: reported"
                + " stolen");

        client.connected = true;
        assertThat(component.status().problem()).isEmpty();
        assertThat(component.status().toString()).startsWith("connected      true\n");
    }

    @Test
    void resumeByConfigurationAndByCall() {
        activate(new TestConfig().streams("config=2").period(3_600_000));
        client.connected = true;
        component.connectionUp(client);
        AckKey bad = outbox.appendNext(2, 1, "bad".getBytes(), 1, new byte[0]).event().ackKey();
        Await.until("published", () -> client.published.size() == 1);
        client.nack(bad, Nack.of("E1", "no"));
        Await.until("parked", () -> !component.nacks().isEmpty());

        component.modified(new TestConfig().streams("config=2").period(3_600_000).resume("config"), Map.of());
        Await.until("sent again", () -> client.published.size() == 2);
        client.nack(bad, Nack.of("E1", "still no"));
        Await.until("parked again", () -> !component.nacks().isEmpty());
        assertThat(component.nacks().get(0).nack().humanMessage()).isEqualTo("still no");

        assertThat(component.resume("config")).isTrue();
        Await.until("sent a third time", () -> client.published.size() == 3);
        client.ack(bad);
        Await.until("drained", () -> log.queueSize() == 0);
        assertThat(component.resume("config")).isFalse();
        assertThat(component.resume("default")).isFalse();
        assertThatThrownBy(() -> component.resume("x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void modifiedChangesTheWindowWithoutARestart() {
        activate(new TestConfig().window(1).period(3_600_000));
        for (int i = 0; i < 5; i++) {
            outbox.appendNext(1, 1, ("k" + i).getBytes(), 1, new byte[0]);
        }
        client.connected = true;
        component.connectionUp(client);
        Await.until("one published", () -> client.published.size() == 1);
        component.modified(new TestConfig().window(3).period(3_600_000), Map.of());
        Await.until("three in flight", () -> client.inFlightCount() == 3);
        assertThat(component.status().window()).isEqualTo(3);
        client.ackAll();
    }

    @Test
    void aRefusedUpdateKeepsThePreviousSettings() {
        activate(new TestConfig().window(3).period(3_600_000));
        component.modified(new TestConfig().window(0).period(3_600_000), Map.of());
        component.modified(new TestConfig().window(99_999).period(3_600_000), Map.of());
        assertThat(component.status().window()).isEqualTo(3);
        component.modified(new TestConfig().window(5).period(3_600_000), Map.of());
        Await.until("window 5", () -> component.status().window() == 5);
    }

    @Test
    void aSwappedEventLogIsUsedAtOnceAndKeepsTheAckKeys() {
        activate(new TestConfig().window(10).period(3_600_000));
        client.connected = true;
        component.connectionUp(client);
        AckKey a = outbox.appendNext(1, 1, "a".getBytes(), 1, new byte[0]).event().ackKey();
        Await.until("a published", () -> client.published.size() == 1);
        CountingLog other = new CountingLog(100);
        outbox.use(other, "other"); // a in flight moves with its ack key
        AckKey b = outbox.appendNext(1, 1, "a".getBytes(), 1, new byte[0]).event().ackKey();
        assertThat(b.offset()).as("offsets continue").isEqualTo(2);
        Await.until("b published", () -> client.published.size() == 2);
        client.ack(a);
        client.ack(b);
        Await.until("drained", () -> other.queueSize() == 0);
        assertThat(log.queueSize()).as("moved out of the old log").isZero();
        assertThat(client.published).extracting(e -> e.ackKey()).containsExactly(a, b);
        assertThat(component.status().eventLog()).isEqualTo("other");
    }

    @Test
    void anUnparseableValueIsRefusedNamingPropertyAndValueAndThePollerCarriesOn() {
        // what SCR hands over for "window = banana": the member fails when it is read
        TestConfig valid = new TestConfig().window(3).period(3_600_000);
        PollerComponent.Config banana = (PollerComponent.Config) java.lang.reflect.Proxy.newProxyInstance(
                PollerComponent.Config.class.getClassLoader(), new Class<?>[] {PollerComponent.Config.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("window")) {
                        throw new IllegalStateException(new NumberFormatException("For input string: \"banana\""));
                    }
                    return method.invoke(valid, args);
                });
        Map<String, Object> properties = Map.of("window", "banana");
        assertThatThrownBy(() -> PollerComponent.settings(banana, properties))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("configuration io.sink.poller: window = \"banana\" is not a whole number (int)");
        activate(valid);
        component.modified(banana, properties);
        assertThat(component.status().window()).isEqualTo(3);
    }

    @Test
    void badConfigurationNamesThePidAndProperty() {
        assertThatThrownBy(() -> PollerComponent.settings(new TestConfig().window(0)))
                .hasMessageContaining("configuration io.sink.poller: window");
        assertThatThrownBy(() -> PollerComponent.settings(new TestConfig().resume("nope")))
                .hasMessageContaining("resume: there is no stream \"nope\"; the streams are default");
        assertThat(PollerComponent.settings(new TestConfig().streams("readings=1").resume("readings")).window())
                .isEqualTo(1);
        assertThat(List.of(new TestConfig().periodMillis)).containsExactly(5000L);
    }
}
