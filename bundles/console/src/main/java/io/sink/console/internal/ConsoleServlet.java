package io.sink.console.internal;

import io.sink.api.config.InvalidConfigurationException;
import io.sink.api.server.ReceivedEventStore;
import io.sink.api.server.SinkServer;
import io.sink.api.server.sensors.SensorDirectory;
import io.sink.server.auth.ClientAdministration;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet console, a servlet on the OSGi (Jakarta) Servlet Whiteboard at {@code /console/*}: a thin
 * adapter from HTTP to {@link ConsoleApi}. Where it listens is the HTTP service's configuration (PID
 * {@code org.apache.felix.http}: {@code org.apache.felix.http.host}, {@code org.osgi.service.http.port}).
 * Runs without configuration, but then nobody can log in.
 */
@Component(service = Servlet.class, configurationPid = ConsoleSettings.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, property = {
            "osgi.http.whiteboard.servlet.pattern=/console/*",
            "osgi.http.whiteboard.servlet.name=sink-console"})
@Designate(ocd = ConsoleServlet.Config.class)
public final class ConsoleServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleServlet.class);

    @ObjectClassDefinition(id = ConsoleSettings.PID, name = "Sink fleet console",
            description = "The web console of the Sink server at /console/ (address: PID org.apache.felix.http).")
    public @interface Config {
        @AttributeDefinition(name = "Password hash", description = "PBKDF2 hash of the operators' password, "
                + "pbkdf2-sha256$<iterations>$<salt>$<hash>, made by 'bin/sink console-hash' or 'sink:console-hash'. "
                + "Empty: nobody can log in.")
        String passwordHash() default "";

        @AttributeDefinition(name = "Session minutes", min = "1", max = "1440",
                description = "A session ends after this long without a request.")
        int sessionMinutes() default 60;

        @AttributeDefinition(name = "Sessions", min = "1", max = "1024",
                description = "Most sessions kept at once; the least recently used is ended beyond.")
        int maxSessions() default 32;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile SinkServer server;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ClientAdministration administration;

    /** The store; choose one with {@code store.target}, e.g. {@code (sink.store.type=sqlite)}. */
    @Reference(name = "store", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ReceivedEventStore store;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile SensorDirectory sensors;

    private volatile ConsoleSettings settings = ConsoleSettings.DEFAULTS;
    private final Sessions sessions = new Sessions(new SecureRandom(), Clock.systemUTC(),
            ConsoleSettings.DEFAULTS.session(), ConsoleSettings.DEFAULTS.maxSessions());
    private final ConsoleApi api = new ConsoleApi(
            new ConsoleModel(() -> server, () -> administration, () -> store, () -> sensors, Clock.systemUTC()),
            sessions, () -> settings, Clock.systemUTC(), LOG::info);

    @Activate
    void activate(Map<String, Object> properties) {
        apply(properties, true);
    }

    @Modified
    void modified(Map<String, Object> properties) {
        apply(properties, false);
    }

    /** Applies a checked configuration, or refuses it in one ERROR line and keeps the previous one. */
    synchronized void apply(Map<String, Object> properties, boolean first) {
        ConsoleSettings next;
        try {
            next = ConsoleSettings.parse(properties);
        } catch (InvalidConfigurationException e) {
            LOG.error("{}; the console keeps its {} configuration", e.getMessage(),
                    first ? "default (nobody can log in until a valid passwordHash is set)" : "previous");
            return;
        }
        if (!next.passwordHash().equals(settings.passwordHash())) {
            sessions.clear();
        }
        sessions.limits(next.session(), next.maxSessions());
        settings = next;
        if (next.passwordHash().isEmpty()) {
            LOG.warn("configuration {}: no passwordHash: nobody can log in to the console", ConsoleSettings.PID);
        }
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Map<String, String> params = new HashMap<>();
        request.getParameterMap().forEach((k, v) -> {
            if (v != null && v.length > 0) {
                params.put(k, v[0]);
            }
        });
        String cookie = null;
        Cookie[] cookies = request.getCookies();
        if (cookies != null) {
            for (Cookie c : cookies) {
                if (ConsoleApi.COOKIE.equals(c.getName())) {
                    cookie = c.getValue();
                }
            }
        }
        String cookiePath = request.getContextPath() + request.getServletPath();
        if (request.getPathInfo() == null) {
            response.setStatus(HttpServletResponse.SC_FOUND);
            response.setHeader("Location", cookiePath + "/");
            return;
        }
        ConsoleApi.Response out = api.handle(new ConsoleApi.Request(request.getMethod(), request.getPathInfo(), params,
                cookie, request.getHeader(ConsoleApi.CSRF_HEADER), request.getHeader("Origin"),
                request.getHeader("Host"), cookiePath));
        response.setStatus(out.status());
        response.setContentType(out.contentType());
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("X-Frame-Options", "DENY");
        response.setHeader("Referrer-Policy", "no-referrer");
        response.setHeader("Content-Security-Policy",
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
        for (String[] h : out.headers()) {
            response.addHeader(h[0], h[1]);
        }
        response.setContentLength(out.body().length);
        response.getOutputStream().write(out.body());
    }
}
