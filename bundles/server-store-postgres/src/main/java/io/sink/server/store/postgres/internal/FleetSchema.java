package io.sink.server.store.postgres.internal;

import io.sink.sqlite.Migration;
import java.util.List;

/**
 * The fleet's leases, as versioned migrations (row {@code fleet} of {@code schema_version}; only ever
 * appended): the live server nodes, and which node holds the live connection of each client.
 */
final class FleetSchema {

    static final List<Migration> MIGRATIONS = List.of(
            new Migration(1, "the live nodes (a heartbeat each) and one lease per connected client", List.of(
                    // one row per running node, its expiry pushed on at every renewal: one write per node
                    """
                    CREATE TABLE fleet_nodes (
                        node       text        PRIMARY KEY,
                        started_at timestamptz NOT NULL,
                        expires_at timestamptz NOT NULL
                    )""",
                    // a lease lives as long as its node's heartbeat
                    """
                    CREATE TABLE fleet_leases (
                        client_id   text        PRIMARY KEY,
                        node        text        NOT NULL,
                        lease       bigint      NOT NULL,
                        acquired_at timestamptz NOT NULL
                    )""",
                    "CREATE INDEX fleet_leases_node ON fleet_leases (node)",
                    "CREATE SEQUENCE fleet_lease_ids")));

    static final PostgresMigrations RUNNER = new PostgresMigrations("fleet", PostgresClientLeases.KIND, MIGRATIONS);

    private FleetSchema() {
    }
}
