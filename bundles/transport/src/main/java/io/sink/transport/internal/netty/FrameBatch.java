package io.sink.transport.internal.netty;

import io.sink.protocol.Frame;

/**
 * Frames written to the pipeline as one message, in order: {@link FrameEncoder} puts them in one
 * buffer. A connection writes the frames it sent between two flushes this way (see
 * {@code Connection#flush}).
 */
record FrameBatch(Frame[] frames) {
}
