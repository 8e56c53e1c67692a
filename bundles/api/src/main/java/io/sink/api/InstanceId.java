package io.sink.api;

import java.util.random.RandomGenerator;

/**
 * An instance id: an unsigned 32-bit number that names one incarnation of a client's or a
 * server's history. A device wiped, or moved from one server to another, is caught by it.
 */
public record InstanceId(long value) {
    public InstanceId {
        if (value < 0 || value > Limits.MAX_INSTANCE_ID) {
            throw new IllegalArgumentException("instance id must be between 0 and 4294967295, got " + value);
        }
    }

    /** A fresh random instance id. */
    public static InstanceId random(RandomGenerator random) {
        return new InstanceId(random.nextLong(Limits.MAX_INSTANCE_ID + 1));
    }

    @Override
    public String toString() {
        return Long.toString(value);
    }
}
