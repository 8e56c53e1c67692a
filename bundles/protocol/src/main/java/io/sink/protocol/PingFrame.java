package io.sink.protocol;

/** PING (type 5): sent with id 0; a non-zero id is ignored on receipt. Exactly 2 bytes. */
public final class PingFrame implements Frame {
    public static final PingFrame INSTANCE = new PingFrame();

    private PingFrame() {
    }

    @Override
    public MessageType type() {
        return MessageType.PING;
    }

    @Override
    public String toString() {
        return "PingFrame";
    }
}
