/**
 * The Sink protocol's state, kept apart from the sockets (after the original's {@code Inflight},
 * {@code Stats} and {@code ConnectionStatus} modules): plain classes without Netty or OSGi that the
 * transport's channel handlers drive.
 *
 * <p>Threading: {@link io.sink.transport.internal.state.Inflight},
 * {@link io.sink.transport.internal.state.ClientSession},
 * {@link io.sink.transport.internal.state.ServerSession},
 * {@link io.sink.transport.internal.state.Keepalive} and
 * {@link io.sink.transport.internal.state.ReconnectSchedule} are <em>not</em> thread-safe: each
 * instance belongs to one connection (or one client) and is used from its event loop only.
 * {@link io.sink.transport.internal.state.ServerHandshake} is a pure function.
 * {@link io.sink.transport.internal.state.ConnectionCounters},
 * {@link io.sink.transport.internal.state.Freshness} and
 * {@link io.sink.transport.internal.state.PeerRegistry} are read by status commands from other
 * threads and are thread-safe.
 *
 * <p>Errors: a peer breaking the protocol is reported with the checked
 * {@link io.sink.transport.internal.state.ProtocolViolation} (the connection is closed, as the
 * original does); misuse by the calling code (a wrong state, an argument out of range) is an
 * unchecked {@link IllegalStateException} or {@link IllegalArgumentException}.
 */
package io.sink.transport.internal.state;
