package io.sink.server.store.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.sink.sqlite.SqlExecutor;
import io.sink.sqlite.SqlWork;
import io.sink.sqlite.StandardError;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The writer over a database that refuses for a while: one line per episode, not one per transaction. */
class BatchWriterTest {
    /** Fails every transaction while {@code down}, as a pool does when PostgreSQL cannot be reached. */
    static final class Refusing implements SqlExecutor {
        volatile boolean down;

        @Override
        public <T> T write(SqlWork<T> work) throws SQLException {
            if (down) {
                throw new SQLTransientConnectionException("HikariPool-1 - Connection is not available, request"
                        + " timed out after 30000ms.\nConnection to db:5432 refused");
            }
            return work.run(null);
        }

        @Override
        public <T> T writeWithoutTransaction(SqlWork<T> work) throws SQLException {
            return write(work);
        }

        @Override
        public <T> T read(SqlWork<T> work) throws SQLException {
            return write(work);
        }
    }

    @Test
    void aDatabaseThatRefusesIsLoggedOncePerEpisodeAndWhenItIsBack() throws Exception {
        Refusing sql = new Refusing();
        BatchWriter<Integer, Integer> writer = new BatchWriter<>(sql, "received-event store database sink", 100,
                (connection, items) -> new ArrayList<>(items));
        try {
            List<String> lines = StandardError.linesOf(() -> {
                try {
                    assertThat(writeOne(writer, 1)).isEqualTo(1);
                    for (int episode = 0; episode < 2; episode++) {
                        sql.down = true;
                        for (int i = 0; i < 500; i++) {
                            int item = i;
                            CompletableFuture<Integer> future = writer.submit(item);
                            assertThat(future).failsWithin(10, TimeUnit.SECONDS)
                                    .withThrowableOfType(ExecutionException.class)
                                    .withMessageContaining("none is stored");
                        }
                        sql.down = false;
                        assertThat(writeOne(writer, 7)).isEqualTo(7);
                    }
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            List<String> failing = lines.stream().filter(l -> l.contains("failed, none of them is stored")).toList();
            assertThat(failing).as("1,000 failed transactions in two episodes: %s", lines).hasSize(2)
                    .allSatisfy(l -> assertThat(l).contains("WARN").contains("received-event store database sink")
                            .contains("Connection is not available").contains("\\nConnection to db:5432 refused")
                            .contains("further failures are counted"));
            assertThat(lines.stream().filter(l -> l.contains("writing works again, after 500 failed transactions"
                    + " (500 writes, none stored)"))).hasSize(2);
            assertThat(lines).as("every line").hasSize(4);
        } finally {
            writer.close(10, TimeUnit.SECONDS);
        }
    }

    private static int writeOne(BatchWriter<Integer, Integer> writer, int item) throws Exception {
        return writer.submit(item).get(10, TimeUnit.SECONDS);
    }
}
