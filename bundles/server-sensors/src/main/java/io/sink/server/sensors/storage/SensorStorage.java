package io.sink.server.sensors.storage;

import io.sink.sqlite.SqlWork;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A database holding the sensor directory's tables, migrated to the current version, in which the
 * directory runs its statements (the same SQL on every engine). Registered with the property
 * {@value #STORAGE_TYPE} ({@code sqlite}, the default, in this bundle; {@code postgresql} in
 * {@code io.sink.server-store-postgres}); the directory picks one with its {@code storage.target}.
 *
 * <p>The tables, with these columns (types as the engine names them):
 * <ul>
 * <li>{@code sensor_streams(client_id text PRIMARY KEY, next_offset integer)}: the next offset of
 * each client's stream;</li>
 * <li>{@code sensors(seq integer PRIMARY KEY ascending in creation order, client_id, sensor_id,
 * name, kind, period_ms, removed 0/1, last_offset, delivery, nack_reason, UNIQUE (client_id,
 * sensor_id))};</li>
 * <li>{@code sensor_outbox(client_id, event_offset, sensor_id, op, event_timestamp, event_data
 * bytes, state, nack_reason, PRIMARY KEY (client_id, event_offset))}.</li>
 * </ul>
 * Several directories (server nodes) may share one storage: each write is one transaction, and the
 * directory takes a client's next offset with one {@code INSERT ... ON CONFLICT DO UPDATE} that
 * locks the client's row until it commits.
 */
@ProviderType
public interface SensorStorage {
    /** The service property naming the engine, e.g. {@code sqlite} or {@code postgresql}. */
    String STORAGE_TYPE = "sink.sensors.storage";

    /** What and where the storage is, for messages (never a password). */
    String description();

    /**
     * Runs {@code work} in one transaction and commits it before returning.
     *
     * @throws RuntimeException thrown by the work, unchanged, after the transaction was rolled back
     * @throws IllegalStateException naming the storage when a statement or the commit fails, or the
     *                               storage is closed or not reachable
     */
    <T> T write(SqlWork<T> work);

    /**
     * Runs {@code work}, which must not write, outside the writer's transaction.
     *
     * @param what what is read, for the message of a failure
     * @throws IllegalStateException naming the storage and {@code what} when it fails
     */
    <T> T read(String what, SqlWork<T> work);
}
