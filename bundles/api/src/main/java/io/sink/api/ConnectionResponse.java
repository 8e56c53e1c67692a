package io.sink.api;

/** The answers a server gives to a CONNECTION_REQUEST (section 4 of the protocol). */
public enum ConnectionResponse {
    /** Both sides know each other; the connection is up. */
    CONNECTED(0),
    /** The server did not know this client's history and has stored it; carries the server instance id. */
    HELLO_NEW_CLIENT(1),
    /** The instance ids do not match what the server remembers; the server closes. */
    INSTANCE_ID_MISMATCH(2),
    /** The client is quarantined; carries a NACK payload with the reason. */
    QUARANTINED(3),
    /** The server does not speak the requested protocol version; it closes. */
    UNSUPPORTED_PROTOCOL_VERSION(4),
    /** The server's policy refuses the client's application version; it closes. */
    UNSUPPORTED_APPLICATION_VERSION(5);

    private final int code;

    ConnectionResponse(int code) {
        this.code = code;
    }

    /** The 4-bit code on the wire. */
    public int code() {
        return code;
    }

    /** Whether a connection answered this way is up. */
    public boolean isConnected() {
        return this == CONNECTED || this == HELLO_NEW_CLIENT;
    }

    /** The response with {@code code}, or {@code null} when no response has that code. */
    public static ConnectionResponse fromCode(int code) {
        ConnectionResponse[] values = values();
        return code >= 0 && code < values.length ? values[code] : null;
    }

    /** The name as the original uses it, e.g. {@code hello_new_client}. */
    public String protocolName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
