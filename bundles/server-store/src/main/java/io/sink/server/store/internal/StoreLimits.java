package io.sink.server.store.internal;

/**
 * The received-event store's limits; 0 for none.
 *
 * @param maxDatabaseBytes the database's pages in use plus its WAL file: beyond, new events are not
 *                         stored (duplicates are still ACKed)
 * @param maxClientBytes   keys and data stored from one client: beyond, that client's new events are
 *                         not stored
 */
public record StoreLimits(long maxDatabaseBytes, long maxClientBytes) {
    /** No limits. */
    public static final StoreLimits NONE = new StoreLimits(0, 0);

    public StoreLimits {
        if (maxDatabaseBytes < 0) {
            throw new IllegalArgumentException("maxDatabaseBytes must be 0 (no limit) or positive, got "
                    + maxDatabaseBytes);
        }
        if (maxClientBytes < 0) {
            throw new IllegalArgumentException("maxClientBytes must be 0 (no quota) or positive, got "
                    + maxClientBytes);
        }
    }
}
