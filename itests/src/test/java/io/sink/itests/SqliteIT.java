package io.sink.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;

import javax.inject.Inject;
import javax.sql.DataSource;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.service.jdbc.DataSourceFactory;
import org.osgi.service.transaction.control.ScopedWorkException;
import org.osgi.service.transaction.control.TransactionControl;
import org.osgi.service.transaction.control.jdbc.JDBCConnectionProvider;
import org.osgi.service.transaction.control.jdbc.JDBCConnectionProviderFactory;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The SQLite stack inside Felix: sqlite-jdbc's native library loads from its bundle, pax-jdbc-sqlite
 * registers the DataSourceFactory, and Aries tx-control runs pooled transactions over it.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class SqliteIT {

    /** The service filter a store uses to find the SQLite DataSourceFactory. */
    static final String SQLITE_FILTER = "(" + DataSourceFactory.OSGI_JDBC_DRIVER_CLASS + "=org.sqlite.JDBC)";

    @Inject
    private BundleContext context;

    @Rule
    public final TemporaryFolder folder = new TemporaryFolder();

    @Configuration
    public Option[] config() {
        return SinkOptions.config(SinkOptions.sqlite());
    }

    @Test
    public void everyBundleResolvesAndTheStackIsActive() {
        Bundles.requireAllResolved(context);
        for (String bsn : new String[] {"org.xerial.sqlite-jdbc", "org.ops4j.pax.jdbc.sqlite",
                "org.osgi.service.jdbc", "tx-control-service-local", "tx-control-provider-jdbc-local"}) {
            Bundles.requireActive(context, bsn);
        }
        // sqlite-jdbc logs through pax-logging, not through a copy of SLF4J of its own
        assertSame(Bundles.bySymbolicName(context, "org.ops4j.pax.logging.pax-logging-api"),
                Bundles.importedFrom(Bundles.bySymbolicName(context, "org.xerial.sqlite-jdbc"), "org.slf4j"));
    }

    @Test
    public void dataSourceFactoryQueriesAFileDatabase() throws Exception {
        File db = new File(folder.getRoot(), "plain.db");
        ServiceTracker<DataSourceFactory, DataSourceFactory> tracker =
                Await.tracked(context, DataSourceFactory.class, SQLITE_FILTER, Await.TIMEOUT);
        try {
            Properties props = new Properties();
            props.setProperty(DataSourceFactory.JDBC_URL, "jdbc:sqlite:" + db.getAbsolutePath());
            DataSource ds = tracker.getService().createDataSource(props);
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.executeUpdate("CREATE TABLE events (id INTEGER PRIMARY KEY, body BLOB NOT NULL)");
                try (PreparedStatement insert = c.prepareStatement("INSERT INTO events (body) VALUES (?)")) {
                    insert.setBytes(1, new byte[] {1, 2, 3});
                    assertEquals(1, insert.executeUpdate());
                }
                try (ResultSet rs = s.executeQuery("SELECT count(*), sqlite_version() FROM events")) {
                    rs.next();
                    assertEquals(1, rs.getInt(1));
                    assertEquals("3.", rs.getString(2).substring(0, 2));
                }
            }
        } finally {
            tracker.close();
        }
        assertTrue("database file written", db.length() > 0);
    }

    @Test
    public void transactionControlCommitsAndRollsBack() throws Exception {
        File db = new File(folder.getRoot(), "tx.db");
        ServiceTracker<DataSourceFactory, DataSourceFactory> dsf =
                Await.tracked(context, DataSourceFactory.class, SQLITE_FILTER, Await.TIMEOUT);
        ServiceTracker<JDBCConnectionProviderFactory, JDBCConnectionProviderFactory> providers =
                Await.tracked(context, JDBCConnectionProviderFactory.class, null, Await.TIMEOUT);
        ServiceTracker<TransactionControl, TransactionControl> txControl =
                Await.tracked(context, TransactionControl.class, null, Await.TIMEOUT);
        JDBCConnectionProvider provider = null;
        try {
            Properties jdbc = new Properties();
            jdbc.setProperty(DataSourceFactory.JDBC_URL, "jdbc:sqlite:" + db.getAbsolutePath());
            provider = providers.getService().getProviderFor(dsf.getService(), jdbc,
                    Map.of(JDBCConnectionProviderFactory.MIN_CONNECTIONS, 1, JDBCConnectionProviderFactory.MAX_CONNECTIONS, 2));
            TransactionControl tx = txControl.getService();
            Connection connection = provider.getResource(tx);

            tx.required(() -> connection.createStatement()
                    .executeUpdate("CREATE TABLE acks (event_type_id INTEGER, offset_ INTEGER)"));
            tx.required(() -> connection.createStatement()
                    .executeUpdate("INSERT INTO acks VALUES (1, 10), (1, 11)"));
            ScopedWorkException failed = assertThrows(ScopedWorkException.class,
                    () -> tx.required(() -> {
                        connection.createStatement().executeUpdate("INSERT INTO acks VALUES (2, 20)");
                        throw new SQLException("abort the transaction");
                    }));
            assertEquals("abort the transaction", failed.getCause().getMessage());

            int rows = tx.notSupported(() -> {
                try (ResultSet rs = connection.createStatement().executeQuery("SELECT count(*) FROM acks")) {
                    rs.next();
                    return rs.getInt(1);
                }
            });
            assertEquals("the rolled back insert is gone", 2, rows);
        } finally {
            if (provider != null) {
                providers.getService().releaseProvider(provider);
            }
            txControl.close();
            providers.close();
            dsf.close();
        }
    }
}
