package io.sink.sqlite;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Objects;

/**
 * A schema as an ordered list of migrations. The version a database has reached is kept in
 * SQLite's {@code PRAGMA user_version} (in the database header, so it is written by the same
 * transaction as the migration); a database is brought from its version to the target in one
 * transaction, so it is never left half migrated. Migrations are only ever appended.
 */
public final class Migrations {
    private final String kind;
    private final List<Migration> migrations;

    /**
     * @param kind       what the database is, for messages, e.g. {@code event log}
     * @param migrations migration {@code i} brings a database to version {@code i + 1}
     * @throws IllegalArgumentException when the migrations are not numbered 1, 2, 3, ...
     */
    public Migrations(String kind, List<Migration> migrations) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.migrations = List.copyOf(migrations);
        for (int i = 0; i < this.migrations.size(); i++) {
            if (this.migrations.get(i).version() != i + 1) {
                throw new IllegalArgumentException("migrations of the " + kind + " must be numbered from 1 in order:"
                        + " migration at index " + i + " has version " + this.migrations.get(i).version());
            }
        }
    }

    /** The migrations, in order. */
    public List<Migration> list() {
        return migrations;
    }

    /** The version this code reads and writes: the number of migrations. */
    public int currentVersion() {
        return migrations.size();
    }

    /** The database's schema version ({@code PRAGMA user_version}; 0 for a new database). */
    public static int version(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("PRAGMA user_version")) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    /**
     * Applies the migrations after the database's version up to {@code target}, inside the caller's
     * transaction. Returns the version found before.
     *
     * @param databaseName names the database in messages (its path)
     * @throws IllegalArgumentException when {@code target} is not between 0 and {@link #currentVersion()}
     * @throws SQLException             when the database has a newer schema than this code knows, or a
     *                                  statement fails
     */
    public int migrate(Connection connection, int target, String databaseName) throws SQLException {
        int current = currentVersion();
        if (target < 0 || target > current) {
            throw new IllegalArgumentException("schema version must be between 0 and " + current + ", got " + target);
        }
        int found = version(connection);
        if (found > current) {
            throw new SQLException("the " + kind + " " + databaseName + " has schema version " + found
                    + ", written by a newer version of this bundle; this one knows versions up to " + current);
        }
        try (Statement s = connection.createStatement()) {
            for (Migration m : migrations.subList(found, Math.max(found, target))) {
                for (String sql : m.statements()) {
                    s.execute(sql);
                }
                s.execute("PRAGMA user_version = " + m.version());
            }
        }
        return found;
    }

    /** Brings the database up to {@link #currentVersion()}; see {@link #migrate(Connection, int, String)}. */
    public int migrate(Connection connection, String databaseName) throws SQLException {
        return migrate(connection, currentVersion(), databaseName);
    }
}
