/**
 * The Sink wire protocol, version 0, as a pure codec (no I/O, no Netty, no OSGi runtime).
 *
 * <ul>
 * <li>{@link io.sink.protocol.Frame} and its implementations are the immutable messages;
 * {@link io.sink.protocol.FrameCodec} encodes and decodes them (the bytes inside the 2-byte length
 * prefix) and handles the prefix.</li>
 * <li>{@link io.sink.protocol.PublishPayload} and {@link io.sink.protocol.NackPayload} are the
 * payloads of PUBLISH and NACK; {@link io.sink.protocol.Varint}, {@link io.sink.protocol.Zigzag}
 * and {@link io.sink.protocol.Chunk} are the primitives they are built from.</li>
 * <li>{@link io.sink.protocol.Batch} and {@link io.sink.protocol.Snapshot} are the columnar
 * storage/export format (not on the wire in version 0).</li>
 * </ul>
 *
 * <p>Errors: every decoder reports malformed or unacceptable input as one checked
 * {@link io.sink.protocol.ProtocolException} whose {@link io.sink.protocol.ProtocolException.Kind}
 * says what class of problem it is and whose message says exactly what is wrong. Encoding refuses
 * values outside the protocol's ranges with {@link java.lang.IllegalArgumentException}, raised where
 * the value enters (a frame's constructor or factory, {@link io.sink.protocol.Varint#encode(java.math.BigInteger)}):
 * nothing is ever silently truncated, and encoding a frame that could be constructed never fails.
 * Arguments that are programming errors (null, an offset outside the array) raise the usual
 * {@link java.lang.NullPointerException} / {@link java.lang.IndexOutOfBoundsException}.
 *
 * <p>All classes are immutable or stateless and safe to share between threads.
 */
@Export
@Version("1.0.0")
package io.sink.protocol;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
