package io.sink.console.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.sink.api.Event;
import io.sink.protocol.etf.SensorReading;
import io.sink.protocol.etf.SensorReadingCodec;
import io.sink.console.internal.ConsoleApi.Request;
import io.sink.console.internal.ConsoleApi.Response;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Authentication, CSRF, the JSON endpoints and their escaping, over in-memory services. */
class ConsoleApiTest {
    static final String PASSWORD = "correct horse";
    static final String HOST = "127.0.0.1:8180";

    final Fakes.Server server = new Fakes.Server();
    final Fakes.Administration admin = new Fakes.Administration();
    final Fakes.Store store = new Fakes.Store();
    final Fakes.Directory directory = new Fakes.Directory();
    final MutableClock clock = new MutableClock(Fakes.NOW);
    final List<String> audit = new CopyOnWriteArrayList<>();
    ConsoleSettings settings = new ConsoleSettings(Optional.of(PasswordHash.create(PASSWORD.toCharArray(),
            PasswordHash.MIN_ITERATIONS, new SecureRandom())), Duration.ofMinutes(10), 4);
    final Sessions sessions = new Sessions(new SecureRandom(), clock, Duration.ofMinutes(10), 4);
    final ConsoleApi api = new ConsoleApi(new ConsoleModel(() -> server, () -> admin, () -> store, () -> directory, clock),
            sessions, () -> settings, clock, audit::add);

    String cookie;
    String csrf;

    static final class MutableClock extends Clock {
        Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @BeforeEach
    void fleet() {
        admin.allowed.add("alice");
        admin.allowed.add("bob");
        directory.clients.add("alice");
        directory.clients.add("bob");
        server.connect("alice", "127.0.0.1:50000");
        server.freshness.put("alice", Map.of(1L, 1_767_323_000L));
        for (int i = 0; i < 3; i++) {
            store.add("alice", SensorReadingCodec.event("kitchen", i, 1_767_322_000L + i, new SensorReading(20 + i, 40)),
                    Fakes.NOW.minusSeconds(10 - i));
        }
    }

    Response call(String method, String path, Map<String, String> params, String csrfToken, String origin) {
        return api.handle(new Request(method, path, params, cookie, csrfToken, origin, HOST, "/console"));
    }

    Response get(String path) {
        return call("GET", path, Map.of(), null, null);
    }

    Response post(String path, Map<String, String> params) {
        return call("POST", path, params, csrf, "http://" + HOST);
    }

    void login() {
        Response r = call("POST", "/api/login", Map.of("password", PASSWORD), null, "http://" + HOST);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        Matcher m = Pattern.compile("sink_console=([A-Za-z0-9_-]+); Path=/console; HttpOnly; SameSite=Strict")
                .matcher(r.header("Set-Cookie").orElseThrow());
        assertThat(m.matches()).as(r.header("Set-Cookie").orElseThrow()).isTrue();
        cookie = m.group(1);
        Matcher t = Pattern.compile("\"csrfToken\":\"([A-Za-z0-9_-]{43})\"").matcher(r.text());
        assertThat(t.find()).as(r.text()).isTrue();
        csrf = t.group(1);
        assertThat(csrf).isNotEqualTo(cookie);
    }

    @Test
    void servesThePageWithoutLoginButNoDataWithoutASession() {
        Response page = get("/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.contentType()).startsWith("text/html");
        assertThat(page.text()).contains("<script src=\"app.js\"");
        assertThat(get("/app.js").text()).contains("textContent").doesNotContain("innerHTML");
        assertThat(get("/../pom.xml").status()).isEqualTo(404);
        assertThat(get("/api/clients").status()).isEqualTo(401);
        assertThat(get("/api/clients/alice").status()).isEqualTo(401);
        assertThat(get("/api/session").text()).contains("\"authenticated\":false", "\"passwordConfigured\":true");
    }

    @Test
    void wrongPasswordIsRefusedAndGivesNoSession() {
        Response r = call("POST", "/api/login", Map.of("password", "wrong"), null, null);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("Set-Cookie")).isEmpty();
        assertThat(call("POST", "/api/login", Map.of(), null, null).status()).isEqualTo(401);
        assertThat(audit).contains("console: failed login");
    }

    @Test
    void loginGivesAnHttpOnlyStrictCookieAndACsrfToken() {
        login();
        assertThat(get("/api/clients").status()).isEqualTo(200);
        assertThat(get("/api/session").text()).contains("\"authenticated\":true", csrf);
        assertThat(audit).contains("console: operator logged in");
    }

    @Test
    void everyStateChangeNeedsTheSessionsCsrfToken() throws Exception {
        login();
        Map<String, String> add = Map.of("name", "greenhouse", "kind", "simulated", "periodMillis", "1000");
        assertThat(call("POST", "/api/clients/alice/sensors", add, null, null).status()).isEqualTo(403);
        assertThat(call("POST", "/api/clients/alice/sensors", add, "forged", null).status()).isEqualTo(403);
        assertThat(call("POST", "/api/clients/alice/quarantine", Map.of(), csrf.substring(1), null).status()).isEqualTo(403);
        assertThat(call("POST", "/api/clients/alice/forget", Map.of(), null, null).status()).isEqualTo(403);
        assertThat(call("POST", "/api/logout", Map.of(), null, null).status()).isEqualTo(403);
        assertThat(directory.sensors("alice")).isEmpty();
        assertThat(admin.calls).isEmpty();
        // the token of another session does not do either
        String mine = cookie;
        String myToken = csrf;
        cookie = null;
        login();
        cookie = mine;
        assertThat(call("POST", "/api/clients/alice/sensors", add, csrf, null).status()).isEqualTo(403);
        assertThat(call("POST", "/api/clients/alice/sensors", add, myToken, null).status()).isEqualTo(200);
    }

    @Test
    void crossOriginPostsAreRefusedEvenWithTheToken() {
        login();
        Response r = call("POST", "/api/clients/alice/forget", Map.of(), csrf, "http://evil.example");
        assertThat(r.status()).isEqualTo(403);
        assertThat(call("POST", "/api/login", Map.of("password", PASSWORD), null, "http://evil.example").status())
                .isEqualTo(403);
        assertThat(admin.calls).isEmpty();
    }

    @Test
    void withoutASessionNothingChanges() {
        assertThat(post("/api/clients/alice/quarantine", Map.of("machine", "m", "human", "h")).status()).isEqualTo(401);
        assertThat(admin.calls).isEmpty();
    }

    @Test
    void clientsListsConnectedAndKnownClientsWithTheirState() {
        login();
        admin.quarantine("bob", "stolen", "reported stolen");
        admin.calls.clear();
        String json = get("/api/clients").text();
        assertThat(json).contains("\"listening\":\"127.0.0.1:4000\"",
                "{\"id\":\"alice\",\"connected\":true,\"allowed\":true,\"since\":\"2026-01-02T03:02:35Z\","
                        + "\"peer\":\"127.0.0.1:50000\",\"applicationVersion\":\"1.0.0\",\"clientInstanceId\":\"1001\","
                        + "\"serverInstanceId\":\"7\",\"quarantine\":null",
                "\"freshness\":[{\"eventType\":\"1\",\"timestamp\":1767323000}],\"events\":3,"
                        + "\"lastEvent\":{\"receivedAt\":\"2026-01-02T03:03:57Z\",\"eventType\":\"1\",\"schema\":\"1\","
                        + "\"key\":\"kitchen\",\"offset\":\"2\",\"timestamp\":1767322002}",
                "{\"id\":\"bob\",\"connected\":false,\"allowed\":true,\"since\":null,\"peer\":null",
                "\"quarantine\":{\"machine\":\"stolen\",\"human\":\"reported stolen\"}");
    }

    @Test
    void peerSuppliedTextIsEscapedInJson() {
        login();
        String hostile = "<img src=x onerror=alert(1)>\"\u001b[2J";
        store.add("alice", SensorReadingCodec.event(hostile, 9, 1_767_322_100L, new SensorReading(1, 2)), Fakes.NOW);
        String list = get("/api/clients").text();
        String detail = get("/api/clients/alice").text();
        for (String json : List.of(list, detail)) {
            assertThat(json).doesNotContain("<img", "\u001b").contains("\\u003cimg src=x onerror=alert(1)\\u003e\\\"\\u001b[2J");
        }
    }

    @Test
    void clientDetailGroupsReadingsPerSensorOldestFirstAndLabelsServerSensors() throws Exception {
        login();
        var sensor = directory.add("alice", "greenhouse", "simulated", 1000);
        store.add("alice", SensorReadingCodec.event(sensor.id().toString(), 0, 1_767_322_050L, new SensorReading(30, 50)),
                Fakes.NOW);
        String json = get("/api/clients/alice").text();
        assertThat(json).contains("\"kinds\":[\"simulated\"]",
                "\"sensors\":[{\"id\":\"" + sensor.id() + "\",\"name\":\"greenhouse\",\"kind\":\"simulated\","
                        + "\"periodMillis\":1000,\"removed\":false,\"delivery\":\"QUEUED\",\"nackReason\":null}]",
                "{\"key\":\"" + sensor.id() + "\",\"label\":\"greenhouse\",\"serverConfigured\":true,\"points\":"
                        + "[{\"timestamp\":1767322050,",
                "{\"key\":\"kitchen\",\"label\":\"kitchen\",\"serverConfigured\":false,\"points\":[{\"timestamp\":1767322000,"
                        + "\"receivedAt\":\"2026-01-02T03:03:55Z\",\"temperature\":20,\"humidity\":40},{\"timestamp\":1767322001,");
        assertThat(get("/api/clients/nobody").status()).isEqualTo(404);
    }

    @Test
    void addRenameAndRemoveASensorThroughTheDirectory() throws Exception {
        login();
        Response added = post("/api/clients/alice/sensors", Map.of("name", "greenhouse", "kind", "simulated",
                "periodMillis", "2000"));
        assertThat(added.status()).as(added.text()).isEqualTo(200);
        assertThat(added.text()).contains("\"name\":\"greenhouse\"", "\"delivery\":\"QUEUED\"", "\"periodMillis\":2000");
        String id = directory.sensors("alice").get(0).id().toString();
        assertThat(post("/api/clients/alice/sensors/" + id + "/rename", Map.of("name", "hothouse")).text())
                .contains("\"name\":\"hothouse\"");
        assertThat(post("/api/clients/alice/sensors/" + id + "/period", Map.of("periodMillis", "500")).text())
                .contains("\"periodMillis\":500");
        assertThat(post("/api/clients/alice/sensors/" + id + "/remove", Map.of()).text()).contains("\"removed\":true");
        assertThat(directory.sensors("alice").get(0).removed()).isTrue();
        assertThat(audit).anyMatch(l -> l.startsWith("console: added sensor " + id + " to alice"));
    }

    @Test
    void refusalsAreAnsweredWithTheirReason() {
        login();
        Response r = post("/api/clients/alice/sensors", Map.of("name", "g", "kind", "simulated", "periodMillis", "5"));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.text()).isEqualTo("{\"error\":\"period 5 ms is below 100 ms\"}");
        assertThat(post("/api/clients/alice/sensors", Map.of("name", "g", "kind", "simulated", "periodMillis", "x<y"))
                .text()).contains("periodMillis must be a whole number, got \\\"x\\u003cy\\\"");
        assertThat(post("/api/clients/alice/sensors", Map.of("kind", "simulated", "periodMillis", "1000")).text())
                .contains("name is missing");
        assertThat(post("/api/clients/alice/sensors/not-a-uuid/remove", Map.of()).text()).contains("not a uuid");
        assertThat(post("/api/clients/mallory/sensors", Map.of("name", "g", "kind", "simulated", "periodMillis", "1000"))
                .text()).contains("unknown client mallory");
    }

    @Test
    void quarantineUnquarantineAndForgetGoToTheRegistry() {
        login();
        assertThat(post("/api/clients/alice/quarantine", Map.of("machine", "stolen", "human", "reported stolen")).text())
                .isEqualTo("{\"message\":\"quarantined alice\"}");
        assertThat(get("/api/clients").text()).contains("\"quarantine\":{\"machine\":\"stolen\",\"human\":\"reported stolen\"}");
        assertThat(post("/api/clients/alice/unquarantine", Map.of()).status()).isEqualTo(200);
        assertThat(post("/api/clients/alice/forget", Map.of()).status()).isEqualTo(200);
        assertThat(admin.calls).containsExactly("quarantine alice stolen reported stolen", "unquarantine alice",
                "forget alice");
    }

    @Test
    void missingServicesAreSaid() {
        Fakes.Server none = null;
        ConsoleApi bare = new ConsoleApi(new ConsoleModel(() -> none, () -> null, () -> null, () -> null, clock),
                sessions, () -> settings, clock, audit::add);
        login();
        Response r = bare.handle(new Request("POST", "/api/clients/alice/sensors", Map.of("name", "g", "kind", "s",
                "periodMillis", "1000"), cookie, csrf, null, HOST, "/console"));
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.text()).contains("no sensor directory runs here");
        assertThat(bare.handle(new Request("GET", "/api/clients", Map.of(), cookie, null, null, HOST, "/console")).text())
                .contains("\"clients\":[]", "\"services\":{\"server\":false,\"registry\":false,\"store\":false,\"sensors\":false}");
    }

    @Test
    void logoutEndsTheSession() {
        login();
        Response out = post("/api/logout", Map.of());
        assertThat(out.status()).isEqualTo(200);
        assertThat(out.header("Set-Cookie")).contains("sink_console=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0");
        assertThat(get("/api/clients").status()).isEqualTo(401);
    }

    @Test
    void idleSessionsExpire() {
        login();
        clock.now = clock.now.plus(Duration.ofMinutes(9));
        assertThat(get("/api/clients").status()).isEqualTo(200);
        clock.now = clock.now.plus(Duration.ofMinutes(11));
        assertThat(get("/api/clients").status()).isEqualTo(401);
    }

    @Test
    void failedLoginsAreLimited() {
        for (int i = 0; i < ConsoleApi.MAX_FAILED_LOGINS; i++) {
            assertThat(call("POST", "/api/login", Map.of("password", "guess" + i), null, null).status()).isEqualTo(401);
        }
        assertThat(call("POST", "/api/login", Map.of("password", PASSWORD), null, null).status()).isEqualTo(429);
        clock.now = clock.now.plus(Duration.ofMinutes(2));
        login();
    }

    @Test
    void withoutAPasswordNobodyLogsIn() {
        settings = ConsoleSettings.DEFAULTS;
        Response r = call("POST", "/api/login", new HashMap<>(Map.of("password", "")), null, null);
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.text()).contains("no console password is configured");
        assertThat(get("/api/session").text()).contains("\"passwordConfigured\":false");
    }

    @Test
    void onlyGetAndPost() {
        assertThat(call("DELETE", "/api/clients/alice", Map.of(), null, null).status()).isEqualTo(405);
        assertThat(call("POST", "/", Map.of(), null, null).status()).isEqualTo(404);
    }
}
