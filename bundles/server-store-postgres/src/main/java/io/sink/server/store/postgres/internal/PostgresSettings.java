package io.sink.server.store.postgres.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Validated settings of the PostgreSQL database of a store: where it is ({@code url}, or
 * {@code host}, {@code port} and {@code database}), who connects ({@code user}, and the password read
 * from {@code passwordFile}), the batch size and the readers' pool size. The password is never part
 * of {@link #toString()} or of a message.
 *
 * @param url                     {@code jdbc:postgresql://host:port/database[?parameters]}
 * @param user                    the database user
 * @param passwordFile            the file holding the password, or null for none (trust or peer
 *                                authentication, or a password in {@code ~/.pgpass})
 * @param maxWritesPerTransaction most events written together in one transaction
 * @param readConnections         the readers' pool size
 * @param connectTimeoutSeconds   how long opening a connection may take
 */
public record PostgresSettings(String url, String user, Path passwordFile, int maxWritesPerTransaction,
        int readConnections, int connectTimeoutSeconds) {

    /** The most rows in one multi-row INSERT: 8 parameters a row, and PostgreSQL takes at most 65535. */
    public static final int MAX_WRITES_PER_TRANSACTION = 8000;
    public static final int MAX_READ_CONNECTIONS = 64;
    public static final int MAX_CONNECT_TIMEOUT_SECONDS = 300;
    /** Password files are a line; a larger one is not a password file. */
    static final int MAX_PASSWORD_FILE_BYTES = 4096;

    private static final String URL_PREFIX = "jdbc:postgresql:";
    /** Host names, IPv4 and IPv6 literals (in brackets); no URL syntax that could smuggle parameters in. */
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}\\]");
    /** Unquoted PostgreSQL identifiers, as a database or user name in a URL. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_$-]{0,62}");

    public PostgresSettings {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(user, "user");
        requireUrl(url);
        requireName("user", user);
        requireRange("maxWritesPerTransaction", maxWritesPerTransaction, 1, MAX_WRITES_PER_TRANSACTION);
        requireRange("readConnections", readConnections, 1, MAX_READ_CONNECTIONS);
        requireRange("connectTimeoutSeconds", connectTimeoutSeconds, 1, MAX_CONNECT_TIMEOUT_SECONDS);
    }

    /** The URL of {@code host}, {@code port} and {@code database}, each checked. */
    public static String url(String host, int port, String database) {
        if (host == null || !HOST.matcher(host).matches()) {
            throw new IllegalArgumentException("host must be a host name or an IP address, got '" + host + "'");
        }
        requireRange("port", port, 1, 65535);
        requireName("database", database);
        return URL_PREFIX + "//" + host + ":" + port + "/" + database;
    }

    private static void requireUrl(String url) {
        if (!url.startsWith(URL_PREFIX + "//") || url.chars().anyMatch(ch -> ch < 0x21 || ch > 0x7e)) {
            throw new IllegalArgumentException("url must be a PostgreSQL JDBC URL (" + URL_PREFIX
                    + "//host:port/database), got '" + printable(url) + "'");
        }
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.contains("password=") || lower.matches(URL_PREFIX + "//[^/?]*@.*")) {
            // the URL is logged and shown by the configuration tools: no secret belongs in it
            throw new IllegalArgumentException("url must not hold a password (use passwordFile), got a URL with one");
        }
    }

    private static void requireName(String property, String value) {
        if (value == null || !NAME.matcher(value).matches()) {
            throw new IllegalArgumentException(property + " must be 1 to 63 letters, digits, '_', '$' or '-', starting"
                    + " with a letter or '_', got '" + printable(value) + "'");
        }
    }

    private static void requireRange(String property, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(property + " must be between " + min + " and " + max + ", got "
                    + value);
        }
    }

    /** A value as it may appear in a log line: control and non-ASCII characters escaped. */
    static String printable(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder(Math.min(value.length(), 200));
        for (int i = 0; i < value.length() && i < 200; i++) {
            char ch = value.charAt(i);
            if (ch < 0x20 || ch > 0x7e || ch == '\\' || ch == '\'') {
                b.append(String.format("\\u%04x", (int) ch));
            } else {
                b.append(ch);
            }
        }
        return value.length() > 200 ? b + "..." : b.toString();
    }

    /**
     * Reads the password: the file's first line (without its line end). Checked when the store opens,
     * so that a missing or unreadable file is named then, never the password.
     *
     * @return the password, or null when there is no password file
     * @throws IllegalArgumentException naming the file (never its content)
     */
    public String readPassword() {
        if (passwordFile == null) {
            return null;
        }
        try {
            if (!Files.isRegularFile(passwordFile)) {
                throw new IllegalArgumentException("passwordFile " + passwordFile + " is not a regular file");
            }
            if (Files.size(passwordFile) > MAX_PASSWORD_FILE_BYTES) {
                throw new IllegalArgumentException("passwordFile " + passwordFile + " is larger than "
                        + MAX_PASSWORD_FILE_BYTES + " bytes: not a password file");
            }
            String content = Files.readString(passwordFile, StandardCharsets.UTF_8);
            int end = content.indexOf('\n');
            String line = end < 0 ? content : content.substring(0, end);
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            if (line.isEmpty()) {
                throw new IllegalArgumentException("passwordFile " + passwordFile + " has an empty first line");
            }
            return line;
        } catch (IOException e) {
            throw new IllegalArgumentException("passwordFile " + passwordFile + " cannot be read: "
                    + e.getClass().getSimpleName(), e);
        }
    }

    /** Whether others than the file's owner (and group) may read the password file. */
    public boolean passwordFileIsWorldReadable() {
        if (passwordFile == null) {
            return false;
        }
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(passwordFile);
            return permissions.contains(PosixFilePermission.OTHERS_READ);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /**
     * The JDBC properties pgjdbc connects with ({@code url} for Aries' driver data source, then
     * {@code user}, {@code password}, timeouts and the application name shown in
     * {@code pg_stat_activity}).
     *
     * @param password from {@link #readPassword()}, or null
     */
    public Properties jdbcProperties(String password, boolean forWriter) {
        Properties p = new Properties();
        p.setProperty("url", url);
        p.setProperty("user", user);
        if (password != null) {
            p.setProperty("password", password);
        }
        p.setProperty("connectTimeout", Integer.toString(connectTimeoutSeconds));
        p.setProperty("loginTimeout", Integer.toString(connectTimeoutSeconds));
        p.setProperty("tcpKeepAlive", "true");
        p.setProperty("ApplicationName", forWriter ? "sink-server writer" : "sink-server reader");
        return p;
    }

    /** Names the database in messages: the URL without {@code jdbc:}, e.g. {@code postgresql://db:5432/sink}. */
    public String databaseName() {
        return url.substring("jdbc:".length());
    }

    @Override
    public String toString() {
        return "url=" + url + ", user=" + user + ", passwordFile=" + (passwordFile == null ? "none" : passwordFile)
                + ", maxWritesPerTransaction=" + maxWritesPerTransaction + ", readConnections=" + readConnections
                + ", connectTimeoutSeconds=" + connectTimeoutSeconds;
    }
}
