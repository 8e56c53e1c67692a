package io.sink.protocol;

/** PONG (type 6): the answer to PING; sent with id 0, a non-zero id is ignored. Exactly 2 bytes. */
public final class PongFrame implements Frame {
    public static final PongFrame INSTANCE = new PongFrame();

    private PongFrame() {
    }

    @Override
    public MessageType type() {
        return MessageType.PONG;
    }

    @Override
    public String toString() {
        return "PongFrame";
    }
}
