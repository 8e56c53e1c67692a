package io.sink.console.internal;

import io.sink.api.server.sensors.SensorException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The console's HTTP surface without a servlet container: routes a {@link Request} (method, path
 * below the console's root, form parameters, session cookie, CSRF header, Origin and Host) to the
 * page, its static files or a JSON endpoint, and checks authentication and CSRF on the way.
 *
 * <ul>
 * <li>Every {@code /api/} endpoint but {@code session} and {@code login} needs a live session
 * (cookie {@value #COOKIE}); answered 401 otherwise.</li>
 * <li>Every POST but {@code login} needs the session's CSRF token in header {@value #CSRF_HEADER};
 * answered 403 otherwise. A POST whose {@code Origin} header is present and is not this host is
 * answered 403 as well, login included.</li>
 * <li>Failed logins beyond {@value #MAX_FAILED_LOGINS} a minute are answered 429.</li>
 * </ul>
 */
final class ConsoleApi {
    static final String COOKIE = "sink_console";
    static final String CSRF_HEADER = "X-CSRF-Token";
    static final int MAX_FAILED_LOGINS = 10;

    private static final Pattern CLIENT = Pattern.compile("/api/clients/([^/]+)");
    private static final Pattern CLIENT_ACTION = Pattern.compile("/api/clients/([^/]+)/(quarantine|unquarantine|forget|resume)");
    private static final Pattern SENSORS = Pattern.compile("/api/clients/([^/]+)/sensors");
    private static final Pattern SENSOR_ACTION = Pattern.compile("/api/clients/([^/]+)/sensors/([^/]+)/(rename|period|remove)");
    private static final Map<String, String> STATIC = Map.of(
            "/", "index.html",
            "/index.html", "index.html",
            "/app.js", "app.js",
            "/app.css", "app.css");

    /**
     * One request.
     *
     * @param method        GET or POST (others are answered 405)
     * @param path          below the console's root, starting with {@code /}; already URL-decoded
     * @param params        form (or query) parameters, first value of each
     * @param sessionCookie the value of cookie {@value #COOKIE}, or null
     * @param csrfToken     header {@value #CSRF_HEADER}, or null
     * @param origin        header Origin, or null
     * @param host          header Host, or null
     * @param cookiePath    the path the session cookie is set for, e.g. {@code /console}
     */
    record Request(String method, String path, Map<String, String> params, String sessionCookie, String csrfToken,
            String origin, String host, String cookiePath) {
    }

    /** One answer: status, content type, body and extra headers (name, value). */
    record Response(int status, String contentType, byte[] body, List<String[]> headers) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        Optional<String> header(String name) {
            return headers.stream().filter(h -> h[0].equalsIgnoreCase(name)).map(h -> h[1]).findFirst();
        }
    }

    private final ConsoleModel model;
    private final Sessions sessions;
    private final Supplier<ConsoleSettings> settings;
    private final Clock clock;
    private final Consumer<String> audit;
    private final Deque<Instant> failedLogins = new ArrayDeque<>();

    /**
     * @param audit where one line per operator action and login goes (the log, INFO); the lines
     *              carry no peer-supplied text unescaped
     */
    ConsoleApi(ConsoleModel model, Sessions sessions, Supplier<ConsoleSettings> settings, Clock clock,
            Consumer<String> audit) {
        this.model = model;
        this.sessions = sessions;
        this.settings = settings;
        this.clock = clock;
        this.audit = audit;
    }

    Response handle(Request r) {
        try {
            return route(r);
        } catch (ConsoleModel.NoSuchElementException e) {
            return error(404, e.getMessage());
        } catch (IllegalArgumentException | SensorException e) {
            return error(400, e.getMessage());
        } catch (IllegalStateException e) {
            return error(503, e.getMessage());
        } catch (IOException | UncheckedIOException e) {
            return error(500, "failed: " + e.getMessage());
        }
    }

    private Response route(Request r) throws IOException, SensorException {
        String path = r.path() == null || r.path().isEmpty() ? "/" : r.path();
        boolean get = "GET".equals(r.method());
        boolean post = "POST".equals(r.method());
        if (!get && !post) {
            return error(405, "method " + r.method() + " is not allowed");
        }
        if (!path.startsWith("/api/")) {
            String resource = STATIC.get(path);
            if (resource == null || !get) {
                return error(404, "nothing at " + path);
            }
            return resource(resource);
        }
        if (post && r.origin() != null && !sameOrigin(r.origin(), r.host())) {
            return error(403, "cross-origin request refused");
        }
        if (path.equals("/api/session") && get) {
            Optional<Sessions.Session> s = sessions.find(r.sessionCookie());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("authenticated", s.isPresent());
            m.put("csrfToken", s.map(Sessions.Session::csrfToken).orElse(null));
            m.put("passwordConfigured", settings.get().passwordHash().isPresent());
            return json(200, m);
        }
        if (path.equals("/api/login") && post) {
            return login(r);
        }
        Optional<Sessions.Session> session = sessions.find(r.sessionCookie());
        if (session.isEmpty()) {
            return error(401, "log in first");
        }
        if (post && !Sessions.sameToken(session.get().csrfToken(), r.csrfToken())) {
            return error(403, "missing or wrong CSRF token (header " + CSRF_HEADER + ")");
        }
        if (get) {
            if (path.equals("/api/clients")) {
                return json(200, model.clients());
            }
            Matcher m = CLIENT.matcher(path);
            if (m.matches()) {
                return json(200, model.client(m.group(1)));
            }
            return error(404, "nothing at " + path);
        }
        if (path.equals("/api/logout")) {
            sessions.remove(session.get().id());
            Response out = json(200, Map.of("message", "logged out"));
            out.headers().add(new String[] {"Set-Cookie", cookie("", r.cookiePath(), 0)});
            return out;
        }
        Matcher m = SENSORS.matcher(path);
        if (m.matches()) {
            Map<String, Object> added = model.addSensor(m.group(1), r.params().get("name"), r.params().get("kind"),
                    r.params().get("periodMillis"));
            audit("added sensor " + added.get("id") + " to " + m.group(1));
            return json(200, added);
        }
        m = SENSOR_ACTION.matcher(path);
        if (m.matches()) {
            String client = m.group(1);
            String sensor = m.group(2);
            Map<String, Object> done = switch (m.group(3)) {
                case "rename" -> model.renameSensor(client, sensor, r.params().get("name"));
                case "period" -> model.changePeriod(client, sensor, r.params().get("periodMillis"));
                default -> model.removeSensor(client, sensor);
            };
            audit(m.group(3) + " of sensor " + done.get("id") + " of " + client);
            return json(200, done);
        }
        m = CLIENT_ACTION.matcher(path);
        if (m.matches()) {
            String client = m.group(1);
            Map<String, Object> done = switch (m.group(2)) {
                case "quarantine" -> model.quarantine(client, r.params().get("machine"), r.params().get("human"));
                case "unquarantine" -> model.unquarantine(client);
                case "resume" -> model.resume(client);
                default -> model.forget(client);
            };
            audit(m.group(2) + " " + client + ": " + done.get("message"));
            return json(200, done);
        }
        return error(404, "nothing at " + path);
    }

    private Response login(Request r) {
        Optional<PasswordHash> hash = settings.get().passwordHash();
        if (hash.isEmpty()) {
            return error(503, "no console password is configured: set passwordHash in PID " + ConsoleSettings.PID
                    + " (make one with 'bin/sink console-hash')");
        }
        Instant now = clock.instant();
        synchronized (failedLogins) {
            while (!failedLogins.isEmpty() && failedLogins.peekFirst().isBefore(now.minus(Duration.ofMinutes(1)))) {
                failedLogins.removeFirst();
            }
            if (failedLogins.size() >= MAX_FAILED_LOGINS) {
                return error(429, "too many failed logins; try again in a minute");
            }
        }
        String password = r.params().get("password");
        if (password == null || password.isEmpty() || !hash.get().matches(password.toCharArray())) {
            synchronized (failedLogins) {
                failedLogins.addLast(now);
            }
            audit("failed login");
            return error(401, "wrong password");
        }
        sessions.remove(r.sessionCookie());
        Sessions.Session s = sessions.create();
        audit("operator logged in");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("authenticated", true);
        m.put("csrfToken", s.csrfToken());
        Response out = json(200, m);
        out.headers().add(new String[] {"Set-Cookie", cookie(s.id(), r.cookiePath(), -1)});
        return out;
    }

    private void audit(String line) {
        audit.accept("console: " + io.sink.api.text.Printable.inline(line));
    }

    static String cookie(String value, String path, int maxAge) {
        return COOKIE + "=" + value + "; Path=" + (path == null || path.isEmpty() ? "/" : path)
                + "; HttpOnly; SameSite=Strict" + (maxAge >= 0 ? "; Max-Age=" + maxAge : "");
    }

    private static boolean sameOrigin(String origin, String host) {
        return host != null && (origin.equals("http://" + host) || origin.equals("https://" + host));
    }

    static Response json(int status, Object value) {
        return new Response(status, "application/json; charset=utf-8",
                Json.write(value).getBytes(StandardCharsets.UTF_8), new ArrayList<>());
    }

    static Response error(int status, String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", message);
        return json(status, m);
    }

    private static Response resource(String name) {
        try (InputStream in = ConsoleApi.class.getResourceAsStream("web/" + name)) {
            if (in == null) {
                return error(404, "missing resource " + name);
            }
            String type = name.endsWith(".js") ? "text/javascript; charset=utf-8"
                    : name.endsWith(".css") ? "text/css; charset=utf-8" : "text/html; charset=utf-8";
            return new Response(200, type, in.readAllBytes(), new ArrayList<>());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
