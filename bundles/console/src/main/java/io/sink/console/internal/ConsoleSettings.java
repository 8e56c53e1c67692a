package io.sink.console.internal;

import io.sink.api.config.ConfigReader;
import io.sink.api.config.InvalidConfigurationException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The console's checked configuration (PID {@value #PID}).
 *
 * @param passwordHash the operators' password hash; empty: nobody can log in (the page says how to set one)
 * @param session      how long a session lasts without a request
 * @param maxSessions  sessions kept at once (the oldest is dropped beyond)
 */
record ConsoleSettings(Optional<PasswordHash> passwordHash, Duration session, int maxSessions) {
    static final String PID = "io.sink.console";
    static final String PASSWORD_HASH = "passwordHash";
    static final String SESSION_MINUTES = "sessionMinutes";
    static final String MAX_SESSIONS = "maxSessions";

    static final ConsoleSettings DEFAULTS = new ConsoleSettings(Optional.empty(), Duration.ofMinutes(60), 32);

    /**
     * Reads and checks the raw properties.
     *
     * @throws InvalidConfigurationException naming PID, property, value and why; a malformed hash is
     *                                       shown by its length only (it may be a password pasted by mistake)
     */
    static ConsoleSettings parse(Map<String, ?> properties) {
        ConfigReader reader = new ConfigReader(PID, properties);
        String hashText = reader.text(PASSWORD_HASH, "");
        Optional<PasswordHash> hash = Optional.empty();
        if (!hashText.isEmpty()) {
            try {
                hash = Optional.of(PasswordHash.parse(hashText));
            } catch (IllegalArgumentException e) {
                throw reader.invalid(PASSWORD_HASH, "(" + hashText.length() + " characters, not shown)", e.getMessage());
            }
        }
        long minutes = reader.longValue(SESSION_MINUTES, DEFAULTS.session.toMinutes(), 1, 24 * 60);
        int max = reader.intValue(MAX_SESSIONS, DEFAULTS.maxSessions, 1, 1024);
        return new ConsoleSettings(hash, Duration.ofMinutes(minutes), max);
    }
}
