package io.sink.server.store.postgres.internal;

import io.sink.sqlite.Migration;
import java.util.List;

/**
 * The client registry's tables, as versioned migrations (row {@code registry} of
 * {@code schema_version}; only ever appended).
 */
final class RegistrySchema {

    static final List<Migration> MIGRATIONS = List.of(
            new Migration(1, "the server's instance id, and one row per remembered client", List.of(
                    // one row at most: every node of a fleet presents the same server instance id
                    """
                    CREATE TABLE registry_server (
                        singleton   boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
                        instance_id bigint      NOT NULL CHECK (instance_id BETWEEN 0 AND 4294967295),
                        created     timestamptz NOT NULL
                    )""",
                    """
                    CREATE TABLE registry_clients (
                        client_id          text        PRIMARY KEY,
                        instance_id        bigint      CHECK (instance_id BETWEEN 0 AND 4294967295),
                        registered_at      timestamptz,
                        quarantine_machine bytea,
                        quarantine_human   text,
                        quarantined_at     timestamptz,
                        CHECK ((quarantine_machine IS NULL) = (quarantine_human IS NULL)),
                        CHECK (instance_id IS NOT NULL OR quarantine_machine IS NOT NULL)
                    )""")));

    static final PostgresMigrations RUNNER = new PostgresMigrations("registry", PostgresRegistryStorage.KIND,
            MIGRATIONS);

    private RegistrySchema() {
    }
}
