package io.sink.server.auth.internal;

import io.sink.api.text.Printable;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which application versions the server accepts: all of them when no minimum is set; otherwise those
 * at or above the minimum ({@link ApplicationVersion} says how versions compare). A version that does
 * not parse is refused whenever a minimum is set: the server cannot tell that it is new enough.
 */
final class VersionPolicy {
    static final VersionPolicy ACCEPT_ALL = new VersionPolicy(Optional.empty());
    private static final Logger LOG = LoggerFactory.getLogger(VersionPolicy.class);

    private final Optional<ApplicationVersion> minimum;

    /** Why a minimum that does not parse is refused. */
    static final String NOT_A_VERSION =
            "not a version (expected e.g. 1.0.0: dot-separated numbers, optionally -prerelease and +build)";

    private VersionPolicy(Optional<ApplicationVersion> minimum) {
        this.minimum = minimum;
    }

    /**
     * The policy for a configured minimum; blank means accept all.
     *
     * @throws IllegalArgumentException naming minimumApplicationVersion when it does not parse
     */
    static VersionPolicy minimum(String minimumApplicationVersion) {
        if (minimumApplicationVersion == null || minimumApplicationVersion.isBlank()) {
            return ACCEPT_ALL;
        }
        String text = minimumApplicationVersion.strip();
        return new VersionPolicy(Optional.of(ApplicationVersion.parse(text).orElseThrow(() -> new IllegalArgumentException(
                "minimumApplicationVersion = " + Printable.quoted(text) + " is " + NOT_A_VERSION))));
    }

    Optional<ApplicationVersion> minimum() {
        return minimum;
    }

    boolean accepts(String clientId, String applicationVersion) {
        if (minimum.isEmpty()) {
            return true;
        }
        Optional<ApplicationVersion> version = ApplicationVersion.parse(applicationVersion);
        if (version.isEmpty()) {
            LOG.info("Refusing client {}: its application version {} is not a version, and the minimum is {}",
                    clientId, Printable.quoted(applicationVersion), minimum.get());
            return false;
        }
        if (version.get().compareTo(minimum.get()) < 0) {
            LOG.info("Refusing client {}: application version {} is older than the minimum {}", clientId,
                    Printable.text(applicationVersion), minimum.get());
            return false;
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VersionPolicy other && toString().equals(other.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    @Override
    public String toString() {
        return minimum.map(m -> "minimum application version " + m).orElse("any application version");
    }
}
