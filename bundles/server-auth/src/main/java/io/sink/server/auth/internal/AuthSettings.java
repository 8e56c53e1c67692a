package io.sink.server.auth.internal;

import io.sink.api.text.Printable;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The validated configuration of PID {@value AuthenticatorComponent#PID}.
 *
 * @param allowListDir   the allow-list directory, absolute
 * @param rescanInterval how often the directory is read again even without a change event
 */
record AuthSettings(Path allowListDir, Duration rescanInterval) {
    static final int MIN_RESCAN_SECONDS = 1;
    static final int MAX_RESCAN_SECONDS = 3600;

    /** @throws IllegalArgumentException naming the bad property */
    static AuthSettings from(String allowListDir, int rescanSeconds) {
        return new AuthSettings(directory("allowListDir", allowListDir), seconds(rescanSeconds));
    }

    private static Duration seconds(int rescanSeconds) {
        if (rescanSeconds < MIN_RESCAN_SECONDS || rescanSeconds > MAX_RESCAN_SECONDS) {
            throw new IllegalArgumentException("rescanSeconds must be between " + MIN_RESCAN_SECONDS + " and "
                    + MAX_RESCAN_SECONDS + ", got " + rescanSeconds);
        }
        return Duration.ofSeconds(rescanSeconds);
    }

    /**
     * The ERROR line for a configuration of {@code pid} refused while running: the message of an
     * {@link io.sink.api.config.InvalidConfigurationException} names the PID already; others are
     * prefixed with it. {@code kept} says what keeps running as it is.
     */
    static String refusal(String pid, Exception e, String kept) {
        String message = String.valueOf(e.getMessage());
        return (message.startsWith("configuration ") ? message : "configuration " + pid + ": " + message) + "; " + kept
                + " keeps running with its previous configuration";
    }

    /** A configured directory path, resolved against the working directory when relative. */
    static Path directory(String property, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(property + " must name a directory, got an empty value");
        }
        try {
            return Path.of(value.strip()).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException(property + " is not a valid path: " + Printable.quoted(value) + " ("
                    + e.getReason() + ")", e);
        }
    }
}
