package io.sink.sqlite;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Writes of one kind that the {@link GroupCommitWriter} may run together: the items submitted with
 * the same {@code BatchWork} (see {@link GroupCommitWriter#submit(BatchWork, Object)}) that fall into
 * one transaction are handed to {@link #runAll} in one call, inside one savepoint, so that the work
 * can reuse one prepared statement for all of them instead of paying a savepoint and a statement per
 * item. Optimistic: when {@link #runAll} throws, its savepoint is rolled back and every item is run
 * again alone with {@link #runOne}, each in its own savepoint, so that only the items that fail on
 * their own fail (as if each had been submitted as a {@link SqlWork}).
 *
 * <p>The connection belongs to the writer, as for {@link SqlWork}.
 *
 * @param <I> an item
 * @param <R> what an item's write returns
 */
@ConsumerType
public interface BatchWork<I, R> {

    /**
     * Writes all {@code items} (at least two, in submission order).
     *
     * @return one result per item, in the same order
     * @throws SQLException or a RuntimeException: nothing of this call is kept, and each item is run
     *                      again with {@link #runOne}
     */
    List<R> runAll(Connection connection, List<I> items) throws SQLException;

    /** Writes one item; what it throws fails that item alone. */
    R runOne(Connection connection, I item) throws SQLException;
}
