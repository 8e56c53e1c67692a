package io.sink.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * An operator of the fleet console over HTTP, for process tests: gives the unpacked distribution's
 * server a fresh password (its hash made by {@code bin/sink console-hash}), logs in, and sends
 * requests with the session cookie and, on POST, the CSRF token.
 */
final class ConsoleHttp {
    record Answer(int status, String body, HttpResponse<String> response) {
    }

    final String base;
    final String password;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    String cookie;
    String csrf;

    private ConsoleHttp(String base, String password) {
        this.base = base;
        this.password = password;
    }

    /** Writes a fresh password's hash into the server's console configuration (before it starts). */
    static ConsoleHttp configure(SinkDistribution sink) throws IOException, InterruptedException {
        byte[] random = new byte[12];
        new SecureRandom().nextBytes(random);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Process p = new ProcessBuilder(sink.dist.resolve("bin/sink").toString(), "console-hash")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        p.getOutputStream().write((password + "\n").getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String hash = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(hash).startsWith("pbkdf2-sha256$600000$").doesNotContain(password);
        Path cfg = sink.etc("server", "io.sink.console");
        sink.setProperty(cfg, "passwordHash", hash);
        return new ConsoleHttp("http://127.0.0.1:" + sink.httpPort + "/console/", password);
    }

    /**
     * {@link #configure}s the console, lets the client retry a second after a refusal (quarantine)
     * rather than 5 minutes, starts the server and the client and waits until they are connected and
     * the console's page is served.
     */
    static ConsoleHttp startServerAndClient(SinkDistribution sink) throws IOException, InterruptedException {
        ConsoleHttp console = configure(sink);
        sink.setProperty(sink.etc("client", "io.sink.transport.client"), "refusalDelay", "1s");
        sink.start("server");
        sink.start("client");
        sink.awaitConnected();
        // 'bin/sink server start' waits for the framework and the Sink port, not for the HTTP server: its
        // port comes from etc/ through FileInstall and Configuration Admin, on their threads
        SinkDistribution.await("the fleet console's page served at " + console.base, SinkDistribution.CHANGE,
                console::pageServed);
        return console;
    }

    /** Whether the console's page answers 200 now (false while nothing listens on its port yet). */
    private boolean pageServed() {
        try {
            return get("").status() == 200;
        } catch (UncheckedIOException notYet) {
            return false;
        }
    }

    Answer get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    Answer post(String path, Map<String, String> form, boolean withToken) {
        String body = form.entrySet().stream().map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
                .collect(Collectors.joining("&"));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (withToken && csrf != null) {
            b.header("X-CSRF-Token", csrf);
        }
        return send(b);
    }

    Answer post(String path, Map<String, String> form) {
        return post(path, form, true);
    }

    /** Logs in with the password; checks the cookie's attributes and keeps cookie and token. */
    void login() {
        Answer a = post("api/login", Map.of("password", password), false);
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        String setCookie = a.response().headers().firstValue("Set-Cookie").orElseThrow();
        Matcher m = Pattern.compile("sink_console=([A-Za-z0-9_-]+); Path=/console; HttpOnly; SameSite=Strict")
                .matcher(setCookie);
        assertThat(m.matches()).as(setCookie).isTrue();
        cookie = m.group(1);
        csrf = field(a.body(), "csrfToken");
    }

    private Answer send(HttpRequest.Builder b) {
        b.timeout(Duration.ofSeconds(20));
        if (cookie != null) {
            b.header("Cookie", "sink_console=" + cookie);
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body(), r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The text of a top-level-looking {@code "name":"value"} field (first one). */
    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\":\"([^\"]*)\"").matcher(json);
        assertThat(m.find()).as(name + " in " + json).isTrue();
        return m.group(1);
    }

    static Map<String, String> form(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
