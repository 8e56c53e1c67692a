package io.sink.sqlite;

/**
 * One database on the JDBC stack the stores get in the framework (pax-jdbc-sqlite's
 * DataSourceFactory, Aries local transaction control and pooled connection providers, see
 * {@link AriesFixture}), built by hand: the processes of the chaos test and the delivery benchmark
 * run the same code path as a distribution. Shared through this module's test-jar.
 */
public final class AriesSqlite implements AutoCloseable {
    private final AriesFixture aries = new AriesFixture();
    private final AriesSqlitePools pools;

    /** Opens the pools of the database {@code settings} name; {@code kind} names it in messages. */
    public AriesSqlite(SqliteSettings settings, String kind) {
        SqliteDatabase.prepareDirectory(settings.path(), kind);
        AriesSqlitePools opened = null;
        try {
            opened = AriesSqlitePools.open(aries.dataSourceFactory, aries.transactionControl, aries.providerFactory,
                    settings, kind);
        } finally {
            if (opened == null) {
                aries.close();
            }
        }
        pools = opened;
    }

    public SqlExecutor executor() {
        return pools.executor();
    }

    @Override
    public void close() {
        pools.close();
        aries.close();
    }
}
