package io.sink.sqlite;

import java.util.List;
import java.util.Objects;

/**
 * One step of a schema: the statements that bring a database from {@code version - 1} to
 * {@code version}.
 *
 * @param version     the version reached, from 1
 * @param description what the step adds, for people
 * @param statements  SQL statements run in order, inside the migration's transaction
 */
public record Migration(int version, String description, List<String> statements) {
    public Migration {
        Objects.requireNonNull(description, "description");
        statements = List.copyOf(statements);
        if (version < 1) {
            throw new IllegalArgumentException("a migration's version must be at least 1, got " + version);
        }
        if (statements.isEmpty()) {
            throw new IllegalArgumentException("migration " + version + " (" + description + ") has no statements");
        }
    }
}
