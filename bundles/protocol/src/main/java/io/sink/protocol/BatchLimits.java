package io.sink.protocol;

/**
 * Bounds on what decoding a batch or snapshot may allocate, whatever its bytes claim: the total
 * body size after decompression and the total number of events. Both apply to one batch, and to a
 * whole snapshot together.
 *
 * @param maxBodySize largest decompressed body, in bytes, 1..2^31-32
 * @param maxEvents largest number of events, at least 1
 */
public record BatchLimits(int maxBodySize, int maxEvents) {
    /** 8 MiB of body and 100,000 events: far above what the original's snapshots hold. */
    public static final BatchLimits DEFAULT = new BatchLimits(8 << 20, 100_000);

    /** @throws IllegalArgumentException when a bound is not positive or too large */
    public BatchLimits {
        if (maxBodySize < 1 || maxBodySize > Integer.MAX_VALUE - 32) {
            throw new IllegalArgumentException("maxBodySize must be between 1 and " + (Integer.MAX_VALUE - 32)
                    + ", got " + maxBodySize);
        }
        if (maxEvents < 1) {
            throw new IllegalArgumentException("maxEvents must be at least 1, got " + maxEvents);
        }
    }
}
