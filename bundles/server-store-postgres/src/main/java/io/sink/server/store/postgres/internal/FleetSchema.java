package io.sink.server.store.postgres.internal;

import io.sink.sqlite.Migration;
import java.util.List;

/**
 * The fleet's leases, as versioned migrations (row {@code fleet} of {@code schema_version}; only ever
 * appended): which server node holds the live connection of each client.
 */
final class FleetSchema {

    static final List<Migration> MIGRATIONS = List.of(
            new Migration(1, "one lease per connected client: the node holding its live connection", List.of(
                    """
                    CREATE TABLE fleet_leases (
                        client_id   text        PRIMARY KEY,
                        node        text        NOT NULL,
                        lease       bigint      NOT NULL,
                        acquired_at timestamptz NOT NULL,
                        expires_at  timestamptz NOT NULL
                    )""",
                    "CREATE INDEX fleet_leases_node ON fleet_leases (node)",
                    "CREATE SEQUENCE fleet_lease_ids")));

    static final PostgresMigrations RUNNER = new PostgresMigrations("fleet", PostgresClientLeases.KIND, MIGRATIONS);

    private FleetSchema() {
    }
}
