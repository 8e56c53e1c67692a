package io.sink.server.auth.internal;

import io.sink.api.text.Printable;
import java.util.regex.Pattern;

/**
 * The rule for client ids. They name files (allow-list certificates and registry records), so the
 * rule keeps them safe as file names everywhere: no separators, no "." or "..", no hidden names.
 */
final class ClientIds {
    /** Letters, digits, '.', '_' and '-'; starts with a letter or digit; 1 to 128 characters. */
    static final Pattern PATTERN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    static final String RULE = "1 to 128 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit";

    private ClientIds() {
    }

    static boolean isValid(String clientId) {
        return clientId != null && PATTERN.matcher(clientId).matches();
    }

    /** The id itself, or an {@link IllegalArgumentException} that says what is wrong with it. */
    static String require(String clientId) {
        if (clientId == null) {
            throw new IllegalArgumentException("client id is missing");
        }
        if (!isValid(clientId)) {
            throw new IllegalArgumentException("malformed client id " + Printable.quoted(clientId) + ": expected " + RULE);
        }
        return clientId;
    }
}
