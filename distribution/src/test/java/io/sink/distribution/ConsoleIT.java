package io.sink.distribution;

import static io.sink.distribution.ConsoleHttp.form;
import static io.sink.distribution.SinkDistribution.CHANGE;
import static io.sink.distribution.SinkDistribution.CLIENT_ID;
import static io.sink.distribution.SinkDistribution.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.sink.distribution.ConsoleHttp.Answer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The fleet console of the unpacked distribution over HTTP, with a real server and client: the
 * password set through {@code bin/sink console-hash}, login, the session cookie and the CSRF
 * token, the JSON endpoints (clients, a client's readings), quarantine and unquarantine, a sensor
 * added to the client from the console (delivered, ACKed, logging, removed), and a malformed
 * password hash refused in one ERROR line.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleIT {
    private SinkDistribution sink;
    private ConsoleHttp console;

    @BeforeAll
    void start() throws Exception {
        sink = SinkDistribution.unpack("ConsoleIT").withCertificates();
        console = ConsoleHttp.startServerAndClient(sink);
    }

    @AfterAll
    void killEverything() {
        if (sink != null) {
            sink.close();
        }
    }

    @Test
    @Order(1)
    void thePageIsServedButNoDataWithoutLogin() {
        Answer page = console.get("");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.response().headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(page.response().headers().firstValue("Content-Security-Policy")).hasValueSatisfying(
                c -> assertThat(c).contains("default-src 'self'"));
        assertThat(page.body()).contains("<title>Sink fleet console</title>");
        assertThat(console.get("api/clients").status()).isEqualTo(401);
        assertThat(console.get("api/clients/" + CLIENT_ID).status()).isEqualTo(401);
        assertThat(console.post("api/login", form("password", "not " + console.password), false).status()).isEqualTo(401);
        assertThat(sink.log("server")).contains("console: failed login");
    }

    @Test
    @Order(2)
    void afterLoginTheClientsAreListed() {
        console.login();
        Answer clients = console.get("api/clients");
        assertThat(clients.status()).isEqualTo(200);
        assertThat(clients.body()).contains("\"listening\":\"127.0.0.1:" + sink.port + "\"",
                "\"id\":\"" + CLIENT_ID + "\",\"connected\":true,\"allowed\":true,\"since\":\"",
                "\"peer\":\"127.0.0.1:", "\"quarantine\":null",
                "\"services\":{\"server\":true,\"registry\":true,\"store\":true,\"sensors\":true}");
        assertThat(ConsoleHttp.field(clients.body(), "clientInstanceId")).matches("[0-9]+");
        assertThat(ConsoleHttp.field(clients.body(), "serverInstanceId")).matches("[0-9]+");
    }

    @Test
    @Order(3)
    void aClientsReadingsAppear() {
        sink.execOk("client", "sensor:log kitchen 70 40");
        sink.execOk("client", "sensor:log kitchen 71 41");
        AtomicReference<String> detail = new AtomicReference<>();
        await("the readings in api/clients/" + CLIENT_ID, CHANGE, () -> {
            detail.set(console.get("api/clients/" + CLIENT_ID).body());
            return detail.get().contains("\"temperature\":71,\"humidity\":41");
        });
        assertThat(detail.get()).contains("{\"key\":\"kitchen\",\"label\":\"kitchen\",\"serverConfigured\":false,"
                + "\"points\":[{\"timestamp\":").contains("\"temperature\":70,\"humidity\":40}");
        assertThat(console.get("api/clients").body()).contains("\"events\":2,\"lastEvent\":{", "\"key\":\"kitchen\"",
                "\"freshness\":[{\"eventType\":\"1\",\"timestamp\":");
    }

    @Test
    @Order(4)
    void stateChangesNeedTheCsrfTokenAndThisOrigin() {
        Answer noToken = console.post("api/clients/" + CLIENT_ID + "/quarantine", form("machine", "stolen", "human", "x"),
                false);
        assertThat(noToken.status()).isEqualTo(403);
        assertThat(noToken.body()).contains("CSRF");
        assertThat(console.get("api/clients").body()).contains("\"quarantine\":null");
        assertThat(sink.execOk("server", "sink:connected " + CLIENT_ID)).isEqualTo("true\n");
    }

    @Test
    @Order(5)
    void quarantineAndUnquarantine() {
        Answer q = console.post("api/clients/" + CLIENT_ID + "/quarantine",
                form("machine", "stolen", "human", "reported <stolen>"));
        assertThat(q.status()).as(q.body()).isEqualTo(200);
        assertThat(q.body()).startsWith("{\"message\":\"quarantined " + CLIENT_ID);
        assertThat(console.get("api/clients").body())
                .contains("\"quarantine\":{\"machine\":\"stolen\",\"human\":\"reported \\u003cstolen\\u003e\"}");
        await("the quarantined client's connection closed", CHANGE,
                () -> console.get("api/clients").body().contains("\"id\":\"" + CLIENT_ID + "\",\"connected\":false"));
        Answer u = console.post("api/clients/" + CLIENT_ID + "/unquarantine", Map.of());
        assertThat(u.status()).as(u.body()).isEqualTo(200);
        assertThat(u.body()).isEqualTo("{\"message\":\"unquarantined " + CLIENT_ID + "\"}");
        assertThat(console.get("api/clients").body()).contains("\"quarantine\":null");
        sink.awaitConnected();
    }

    @Test
    @Order(6)
    void aSensorAddedInTheConsoleLogsOnTheClientUntilRemoved() {
        Answer added = console.post("api/clients/" + CLIENT_ID + "/sensors",
                form("name", "greenhouse", "kind", "simulated", "periodMillis", "500"));
        assertThat(added.status()).as(added.body()).isEqualTo(200);
        assertThat(added.body()).contains("\"name\":\"greenhouse\"", "\"kind\":\"simulated\"", "\"periodMillis\":500",
                "\"removed\":false");
        String id = ConsoleHttp.field(added.body(), "id");
        long addedAt = System.nanoTime();
        await("the sensor ACKed by the client", CHANGE, () -> console.get("api/clients/" + CLIENT_ID).body()
                .contains("\"id\":\"" + id + "\",\"name\":\"greenhouse\",\"kind\":\"simulated\",\"periodMillis\":500,"
                        + "\"removed\":false,\"delivery\":\"ACKED\""));
        await("readings of the sensor on the page", Duration.ofSeconds(30), () -> console.get("api/clients/" + CLIENT_ID)
                .body().contains("{\"key\":\"" + id + "\",\"label\":\"greenhouse\",\"serverConfigured\":true,\"points\":[{"));
        System.out.printf("ConsoleIT: sensor added in the console to its first reading on the page: %d ms%n",
                SinkDistribution.millisSince(addedAt));
        assertThat(sink.execOk("client", "sensor:list")).contains(id).contains("greenhouse");

        Answer removed = console.post("api/clients/" + CLIENT_ID + "/sensors/" + id + "/remove", Map.of());
        assertThat(removed.status()).as(removed.body()).isEqualTo(200);
        assertThat(removed.body()).contains("\"removed\":true");
        await("the removal ACKed", CHANGE, () -> {
            String sensors = sensorsOf(console.get("api/clients/" + CLIENT_ID).body());
            return !sensors.contains(id) || sensors.contains("\"removed\":true,\"delivery\":\"ACKED\"");
        });
        sink.awaitExec("client", "sensor:list", r -> r.status() == 0 && !r.out().contains(id), CHANGE);
        // no new reading of it once the removal is applied (one may have been on its way)
        long count = readingsOf(id);
        sink.execOk("client", "sensor:log kitchen 72 42");
        await("a later reading of another sensor", CHANGE,
                () -> console.get("api/clients/" + CLIENT_ID).body().contains("\"temperature\":72,\"humidity\":42"));
        assertThat(readingsOf(id)).isLessThanOrEqualTo(count + 1);
    }

    @Test
    @Order(7)
    void aMalformedPasswordHashIsRefusedInOneErrorLineAndThePreviousKept() {
        sink.setProperty(sink.etc("server", "io.sink.console"), "passwordHash", "hunter2");
        String refusal = "configuration io.sink.console: passwordHash = '(7 characters, not shown)' is refused: is not of"
                + " the form pbkdf2-sha256$<iterations>$<salt>$<hash>";
        sink.awaitLog("server", refusal);
        assertThat(sink.log("server").lines().filter(l -> l.contains("| ERROR |") && l.contains("io.sink.console")))
                .singleElement().satisfies(l -> assertThat(l).contains(refusal, "the console keeps its previous"));
        assertThat(sink.log("server")).doesNotContain("hunter2");
        // the session and the password stay
        assertThat(console.get("api/clients").status()).isEqualTo(200);
        assertThat(console.post("api/login", form("password", console.password), false).status()).isEqualTo(200);
    }

    @Test
    @Order(8)
    void logoutEndsTheSession() {
        console.login();
        Answer out = console.post("api/logout", Map.of());
        assertThat(out.status()).isEqualTo(200);
        assertThat(console.get("api/clients").status()).isEqualTo(401);
    }

    private static String sensorsOf(String body) {
        int at = body.indexOf("\"sensors\":[");
        return body.substring(at, body.indexOf("\"readings\":", at));
    }

    private long readingsOf(String id) {
        String body = console.get("api/clients/" + CLIENT_ID).body();
        int at = body.indexOf("{\"key\":\"" + id + "\"");
        if (at < 0) {
            return 0;
        }
        int end = body.indexOf("]}", at);
        return body.substring(at, end).split("\"temperature\"", -1).length - 1;
    }
}
