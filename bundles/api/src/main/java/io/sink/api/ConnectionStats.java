package io.sink.api;

import java.time.Instant;

/**
 * Counters of one connection, as a snapshot.
 *
 * @param connectedSince when the handshake completed
 * @param peer           the remote address, e.g. {@code 127.0.0.1:4000}
 * @param framesIn       frames received
 * @param framesOut      frames sent
 * @param bytesIn        bytes of frames received, length prefixes included
 * @param bytesOut       bytes of frames sent, length prefixes included
 * @param pingsSent      PINGs sent
 * @param pongsReceived  PONGs received
 * @param inFlight       PUBLISHes sent and not yet answered
 * @param acksReceived   ACKs received
 * @param nacksReceived  NACKs received
 * @param nacksSent      NACKs sent
 */
public record ConnectionStats(Instant connectedSince, String peer, long framesIn, long framesOut, long bytesIn,
        long bytesOut, long pingsSent, long pongsReceived, int inFlight, long acksReceived, long nacksReceived,
        long nacksSent) {
}
