package io.sink.console.internal;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Operators' sessions, in memory: a random session id (the cookie) and a random CSRF token per
 * session, an idle timeout and a cap on how many are kept. Thread-safe.
 */
final class Sessions {
    /** One session. */
    record Session(String id, String csrfToken, Instant created, Instant lastUsed) {
    }

    private final SecureRandom random;
    private final Clock clock;
    private final Map<String, Session> byId = new LinkedHashMap<>();
    private Duration idle;
    private int max;

    Sessions(SecureRandom random, Clock clock, Duration idle, int max) {
        this.random = random;
        this.clock = clock;
        this.idle = idle;
        this.max = max;
    }

    synchronized void limits(Duration idle, int max) {
        this.idle = idle;
        this.max = max;
        trim();
    }

    /** A new session; the least recently used ones are dropped beyond the cap. */
    synchronized Session create() {
        Instant now = clock.instant();
        Session s = new Session(token(), token(), now, now);
        byId.put(s.id(), s);
        trim();
        return s;
    }

    /** The live session of {@code id}, touched; empty when unknown or expired. */
    synchronized Optional<Session> find(String id) {
        if (id == null) {
            return Optional.empty();
        }
        Session s = byId.get(id);
        if (s == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        if (s.lastUsed().plus(idle).isBefore(now)) {
            byId.remove(id);
            return Optional.empty();
        }
        Session touched = new Session(s.id(), s.csrfToken(), s.created(), now);
        byId.put(id, touched);
        return Optional.of(touched);
    }

    synchronized void remove(String id) {
        if (id != null) {
            byId.remove(id);
        }
    }

    /** Ends every session (the password changed). */
    synchronized void clear() {
        byId.clear();
    }

    synchronized int size() {
        return byId.size();
    }

    private void trim() {
        Instant now = clock.instant();
        byId.values().removeIf(s -> s.lastUsed().plus(idle).isBefore(now));
        while (byId.size() > max) {
            byId.values().stream().min(Comparator.comparing(Session::lastUsed))
                    .ifPresent(oldest -> byId.remove(oldest.id()));
        }
    }

    private String token() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Constant-time comparison of two tokens (null never matches). */
    static boolean sameToken(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        return java.security.MessageDigest.isEqual(a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                b.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
