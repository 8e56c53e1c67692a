package io.sink.stress.chaos;

import io.sink.sqlite.AriesSqlitePools;
import io.sink.sqlite.SqlExecutor;
import io.sink.sqlite.SqliteDatabase;
import io.sink.sqlite.SqliteSettings;
import org.apache.aries.tx.control.jdbc.common.impl.ResourceTrackingJDBCConnectionProviderFactory;
import org.apache.aries.tx.control.jdbc.local.impl.JDBCConnectionProviderFactoryImpl;
import org.apache.aries.tx.control.service.local.impl.TransactionControlImpl;
import org.ops4j.pax.jdbc.sqlite.impl.SqliteDataSourceFactory;

/**
 * The JDBC stack the stores get in the framework (pax-jdbc-sqlite's DataSourceFactory, Aries local
 * transaction control and pooled connection providers), built by hand, so the chaos processes run
 * the same code path as a distribution (as the delivery benchmark does).
 */
final class AriesSqlite implements AutoCloseable {
    private final TransactionControlImpl transactionControl = new TransactionControlImpl();
    private final AriesSqlitePools pools;

    AriesSqlite(SqliteSettings settings, String kind) {
        SqliteDatabase.prepareDirectory(settings.path(), kind);
        pools = AriesSqlitePools.open(new SqliteDataSourceFactory(), transactionControl,
                new ResourceTrackingJDBCConnectionProviderFactory(new JDBCConnectionProviderFactoryImpl()), settings,
                kind);
    }

    SqlExecutor executor() {
        return pools.executor();
    }

    @Override
    public void close() {
        pools.close();
        transactionControl.close();
    }
}
