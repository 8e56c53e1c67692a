package io.sink.protocol;

/**
 * One Sink frame: the bytes inside the 2-byte length prefix. Immutable; encoded and decoded by
 * {@link FrameCodec}. Constructors and factories refuse values outside the protocol's ranges
 * (message id above 4095, a frame above 65,535 bytes) with {@link IllegalArgumentException}, so every
 * frame that exists can be encoded.
 */
public sealed interface Frame
        permits ConnectionRequestFrame, ConnectionResponseFrame, AckFrame, PublishFrame, PingFrame, PongFrame,
        NackFrame {

    MessageType type();
}
