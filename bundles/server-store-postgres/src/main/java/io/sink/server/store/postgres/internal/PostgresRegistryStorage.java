package io.sink.server.store.postgres.internal;

import io.sink.api.InstanceId;
import io.sink.api.Nack;
import io.sink.server.auth.storage.RegistryStorage;
import io.sink.server.auth.storage.StoredClient;
import io.sink.sqlite.SqlExecutor;
import io.sink.sqlite.SqlWork;
import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client registry in PostgreSQL: the server's instance id in {@code registry_server} (created by
 * the first node that opens the database; every node then presents the same one) and one row per
 * remembered client in {@code registry_clients}. Every read goes to the database, so a quarantine or
 * a forget written by one node is what the next handshake on any node reads. A row is always
 * readable: there are no unreadable records here.
 */
public final class PostgresRegistryStorage implements RegistryStorage {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresRegistryStorage.class);
    static final String KIND = "client registry";

    private final SqlExecutor sql;
    private final String description;
    private final InstanceId serverInstanceId;

    private PostgresRegistryStorage(SqlExecutor sql, String description, InstanceId serverInstanceId) {
        this.sql = sql;
        this.description = description;
        this.serverInstanceId = serverInstanceId;
    }

    /**
     * Migrates the registry's tables and reads (or, the first time, creates) the server's instance id.
     *
     * @throws IllegalStateException naming the database when it cannot be opened
     */
    public static PostgresRegistryStorage open(SqlExecutor sql, String databaseName, RandomGenerator random) {
        Objects.requireNonNull(sql, "sql");
        Objects.requireNonNull(random, "random");
        String description = KIND + " " + databaseName;
        try {
            InstanceId id = sql.write(c -> {
                RegistrySchema.RUNNER.migrate(c, databaseName);
                try (PreparedStatement ps = c.prepareStatement("""
                        INSERT INTO registry_server (instance_id, created) VALUES (?, now())
                        ON CONFLICT (singleton) DO NOTHING""")) {
                    ps.setLong(1, InstanceId.random(random).value());
                    if (ps.executeUpdate() == 1) {
                        LOG.info("{}: created the server instance id", description);
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("SELECT instance_id FROM registry_server");
                        ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new SQLException("registry_server has no row");
                    }
                    return new InstanceId(rs.getLong(1));
                }
            });
            LOG.info("{} open: server instance id {}", description, id);
            return new PostgresRegistryStorage(sql, description, id);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open the " + description + ": " + e.getMessage(), e);
        }
    }

    @Override
    public InstanceId serverInstanceId() {
        return serverInstanceId;
    }

    @Override
    public Optional<StoredClient> get(String clientId) {
        Objects.requireNonNull(clientId, "clientId");
        return read("reading the record of " + clientId, c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT instance_id, registered_at, quarantine_machine, quarantine_human, quarantined_at
                    FROM registry_clients WHERE client_id = ?""")) {
                ps.setString(1, clientId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    long id = rs.getLong(1);
                    Optional<InstanceId> instanceId = rs.wasNull() ? Optional.empty() : Optional.of(new InstanceId(id));
                    byte[] machine = rs.getBytes(3);
                    Optional<Nack> quarantine = machine == null ? Optional.empty()
                            : Optional.of(new Nack(machine, rs.getString(4)));
                    return Optional.of(new StoredClient(clientId, instanceId, instant(rs, 2), quarantine,
                            instant(rs, 5), Optional.empty()));
                }
            }
        });
    }

    private static Optional<Instant> instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime at = rs.getObject(column, OffsetDateTime.class);
        return at == null ? Optional.empty() : Optional.of(at.toInstant());
    }

    @Override
    public void put(StoredClient client) throws IOException {
        Objects.requireNonNull(client, "client");
        if (client.isUnreadable()) {
            throw new IllegalArgumentException("an unreadable record is never written");
        }
        write("writing the record of " + client.clientId(), c -> {
            if (client.isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM registry_clients WHERE client_id = ?")) {
                    ps.setString(1, client.clientId());
                    return ps.executeUpdate();
                }
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO registry_clients (client_id, instance_id, registered_at, quarantine_machine,
                                                  quarantine_human, quarantined_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (client_id) DO UPDATE SET instance_id = EXCLUDED.instance_id,
                        registered_at = EXCLUDED.registered_at, quarantine_machine = EXCLUDED.quarantine_machine,
                        quarantine_human = EXCLUDED.quarantine_human, quarantined_at = EXCLUDED.quarantined_at""")) {
                ps.setString(1, client.clientId());
                if (client.instanceId().isPresent()) {
                    ps.setLong(2, client.instanceId().get().value());
                } else {
                    ps.setNull(2, Types.BIGINT);
                }
                ps.setObject(3, client.registeredAt().map(at -> at.atOffset(ZoneOffset.UTC)).orElse(null),
                        Types.TIMESTAMP_WITH_TIMEZONE);
                ps.setBytes(4, client.quarantine().map(Nack::machineMessage).orElse(null));
                ps.setString(5, client.quarantine().map(Nack::humanMessage).orElse(null));
                ps.setObject(6, client.quarantinedAt().map(at -> at.atOffset(ZoneOffset.UTC)).orElse(null),
                        Types.TIMESTAMP_WITH_TIMEZONE);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public String setAside(String clientId) throws IOException {
        // rows are never unreadable; should one be handed over anyway, forgetting it deletes it
        write("deleting the record of " + clientId, c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM registry_clients WHERE client_id = ?")) {
                ps.setString(1, clientId);
                return ps.executeUpdate();
            }
        });
        return "nothing (the row of " + clientId + " in " + description + " is deleted)";
    }

    @Override
    public SortedSet<String> clientIds() {
        return read("listing the clients", c -> {
            SortedSet<String> ids = new TreeSet<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT client_id FROM registry_clients");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            return Collections.unmodifiableSortedSet(ids);
        });
    }

    private <T> T read(String what, SqlWork<T> work) {
        try {
            return sql.read(work);
        } catch (SQLException e) {
            throw new IllegalStateException(description + ": " + what + " failed: " + e.getMessage(), e);
        }
    }

    private void write(String what, SqlWork<?> work) throws IOException {
        try {
            sql.write(work);
        } catch (SQLException e) {
            throw new IOException(description + ": " + what + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
