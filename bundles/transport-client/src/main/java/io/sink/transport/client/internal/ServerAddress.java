package io.sink.transport.client.internal;

import io.sink.api.text.Printable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One server a client may connect to: the host it connects to, and checks the server certificate
 * against, and the port.
 *
 * @param host a DNS name or an IPv4 address (letters, digits, {@code -}, {@code .}, {@code _}), or an
 *             IPv6 address without brackets ({@code ::1}, {@code fe80::1%eth0})
 * @param port 1 to 65535
 */
public record ServerAddress(String host, int port) {
    /** Most addresses in a {@code servers} list. */
    public static final int MAX_SERVERS = 64;
    /** The longest host (a DNS name has at most 253 characters). */
    static final int MAX_HOST_LENGTH = 253;
    /** Bytes of a refused configuration value shown in the message. */
    private static final int MAX_VALUE_BYTES = 80;

    public ServerAddress {
        Objects.requireNonNull(host, "host");
        String problem = hostProblem(host);
        if (problem != null) {
            throw new IllegalArgumentException("host " + Printable.quoted(host, MAX_VALUE_BYTES) + " " + problem);
        }
        requirePort(port);
    }

    /** {@code port} if it is a TCP port a client can connect to. */
    public static int requirePort(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be between 1 and 65535, got " + port);
        }
        return port;
    }

    /**
     * Why {@code host} cannot be connected to, or null when it can: empty, too long, or holding
     * anything but a host name's or an IP address's characters (which keeps every address safe to
     * log as it is).
     */
    public static String hostProblem(String host) {
        if (host == null || host.isEmpty()) {
            return "must not be empty";
        }
        if (host.length() > MAX_HOST_LENGTH) {
            return "is longer than " + MAX_HOST_LENGTH + " characters";
        }
        boolean ipv6 = host.indexOf(':') >= 0;
        int zone = ipv6 ? host.indexOf('%') : -1;
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            boolean ok;
            if (ipv6 && (zone < 0 || i < zone)) {
                ok = c == ':' || c == '.' || Character.digit(c, 16) >= 0 && c < 128;
            } else if (ipv6 && i == zone) {
                ok = i < host.length() - 1;
            } else {
                ok = c < 128 && (Character.isLetterOrDigit(c) || c == '-' || c == '.' || c == '_');
            }
            if (!ok) {
                return ipv6 ? "is not an IPv6 address" : "is not a host name or IP address (letters, digits, '-', "
                        + "'.', '_')";
            }
        }
        if (!ipv6 && (host.startsWith("-") || host.startsWith("."))) {
            return "is not a host name or IP address (it starts with '" + host.charAt(0) + "')";
        }
        return null;
    }

    /**
     * Parses a {@code servers} configuration value, e.g. {@code "sink1.example.org:4000, sink2:4000"}:
     * addresses separated by commas, each {@code host:port}, {@code host} alone (then {@code defaultPort}
     * applies), or an IPv6 address in brackets, {@code [::1]:4000} or {@code [::1]}. White space around
     * the entries is ignored. A blank value is an empty list.
     *
     * @param property    the property's name, for the message
     * @param text        the configured value
     * @param defaultPort the port of entries that name none; checked by the caller
     * @throws IllegalArgumentException naming the property, the value (escaped), the entry and why:
     *                                  an empty entry, a bad host or port, an IPv6 address without
     *                                  brackets, an address listed twice, more than {@value #MAX_SERVERS}
     */
    public static List<ServerAddress> parseList(String property, String text, int defaultPort) {
        Objects.requireNonNull(text, property);
        if (text.isBlank()) {
            return List.of();
        }
        String[] parts = text.split(",", -1);
        if (parts.length > MAX_SERVERS) {
            throw refused(property, text, "more than " + MAX_SERVERS + " addresses (" + parts.length + ")");
        }
        List<ServerAddress> result = new ArrayList<>(parts.length);
        Set<ServerAddress> seen = new HashSet<>();
        for (int i = 0; i < parts.length; i++) {
            String entry = parts[i].strip();
            String which = "address " + (i + 1);
            if (entry.isEmpty()) {
                throw refused(property, text, which + " is empty (addresses are separated by single commas)");
            }
            ServerAddress address;
            try {
                address = parse(entry, defaultPort);
            } catch (IllegalArgumentException e) {
                throw refused(property, text, which + " " + Printable.quoted(entry, MAX_VALUE_BYTES) + ": "
                        + e.getMessage());
            }
            if (!seen.add(address)) {
                throw refused(property, text, which + " " + address + " is listed twice");
            }
            result.add(address);
        }
        return List.copyOf(result);
    }

    private static ServerAddress parse(String entry, int defaultPort) {
        String host;
        String port;
        if (entry.startsWith("[")) {
            int close = entry.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("the '[' of an IPv6 address has no ']'");
            }
            host = entry.substring(1, close);
            if (host.indexOf(':') < 0) {
                throw new IllegalArgumentException("brackets are for IPv6 addresses only");
            }
            String rest = entry.substring(close + 1);
            if (rest.isEmpty()) {
                port = null;
            } else if (rest.startsWith(":")) {
                port = rest.substring(1);
            } else {
                throw new IllegalArgumentException("only ':port' may follow the ']' of an IPv6 address");
            }
        } else {
            int colon = entry.indexOf(':');
            if (colon >= 0 && entry.indexOf(':', colon + 1) >= 0) {
                throw new IllegalArgumentException("an IPv6 address is written in brackets, e.g. [::1]:4000");
            }
            host = colon < 0 ? entry : entry.substring(0, colon);
            port = colon < 0 ? null : entry.substring(colon + 1);
        }
        String problem = hostProblem(host);
        if (problem != null) {
            throw new IllegalArgumentException("the host " + problem);
        }
        return new ServerAddress(host, port == null ? defaultPort : parsePort(port));
    }

    private static int parsePort(String text) {
        int port = -1;
        if (!text.isEmpty() && text.length() <= 5 && text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            port = Integer.parseInt(text);
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("the port " + Printable.quoted(text, MAX_VALUE_BYTES)
                    + " is not a whole number from 1 to 65535");
        }
        return port;
    }

    private static IllegalArgumentException refused(String property, String text, String why) {
        return new IllegalArgumentException(property + " = " + Printable.quoted(text, MAX_VALUE_BYTES) + ": " + why);
    }

    /** The addresses as a configuration would list them, e.g. {@code a:4000, [::1]:4001}. */
    public static String describe(List<ServerAddress> addresses) {
        StringBuilder out = new StringBuilder();
        for (ServerAddress a : addresses) {
            out.append(out.length() == 0 ? "" : ", ").append(a);
        }
        return out.toString();
    }

    /** {@code host:port}, an IPv6 host in brackets; escaped (the host is checked already, so this changes nothing). */
    @Override
    public String toString() {
        String h = Printable.inline(host);
        return (host.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + port;
    }
}
