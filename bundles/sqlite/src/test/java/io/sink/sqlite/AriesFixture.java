package io.sink.sqlite;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.sql.DataSource;
import javax.sql.XADataSource;
import org.apache.aries.tx.control.jdbc.common.impl.ResourceTrackingJDBCConnectionProviderFactory;
import org.apache.aries.tx.control.jdbc.local.impl.JDBCConnectionProviderFactoryImpl;
import org.apache.aries.tx.control.service.local.impl.TransactionControlImpl;
import org.ops4j.pax.jdbc.sqlite.impl.SqliteDataSourceFactory;
import org.osgi.framework.BundleContext;
import org.osgi.service.jdbc.DataSourceFactory;
import org.osgi.service.transaction.control.jdbc.JDBCConnectionProvider;
import org.osgi.service.transaction.control.jdbc.JDBCConnectionProviderFactory;

/**
 * The real runtime pieces without a framework: pax-jdbc-sqlite's DataSourceFactory and Aries'
 * local transaction control and JDBC resource provider factory, which the component gets as
 * services in the framework. Counts providers so that tests can check they are all released.
 * Shared with the stores' tests through this module's test-jar.
 */
public final class AriesFixture implements AutoCloseable {
    public final DataSourceFactory dataSourceFactory;
    public final TransactionControlImpl transactionControl = new TransactionControlImpl();
    public final CountingFactory providerFactory = new CountingFactory(
            new ResourceTrackingJDBCConnectionProviderFactory(new JDBCConnectionProviderFactoryImpl()));

    /** With pax-jdbc-sqlite's factory. */
    public AriesFixture() {
        this(new SqliteDataSourceFactory());
    }

    /** With another engine's factory, e.g. pgjdbc's {@code org.postgresql.osgi.PGDataSourceFactory}. */
    public AriesFixture(DataSourceFactory dataSourceFactory) {
        this.dataSourceFactory = dataSourceFactory;
    }

    @Override
    public void close() {
        transactionControl.close();
    }

    /** A bundle context that only answers framework properties (what the store components read of it). */
    public static BundleContext bundleContext(Map<String, String> frameworkProperties) {
        return (BundleContext) Proxy.newProxyInstance(BundleContext.class.getClassLoader(),
                new Class<?>[] {BundleContext.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getProperty")) {
                        return frameworkProperties.get((String) args[0]);
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    /** A provider factory that remembers the providers it handed out and which were released. */
    public static class CountingFactory implements JDBCConnectionProviderFactory {
        private final JDBCConnectionProviderFactory delegate;
        public final List<JDBCConnectionProvider> open = new ArrayList<>();
        public final List<Map<String, Object>> resourceProperties = new ArrayList<>();

        CountingFactory(JDBCConnectionProviderFactory delegate) {
            this.delegate = delegate;
        }

        @Override
        public synchronized JDBCConnectionProvider getProviderFor(DataSourceFactory dsf, Properties jdbcProperties,
                Map<String, Object> resourceProviderProperties) {
            JDBCConnectionProvider p = delegate.getProviderFor(dsf, jdbcProperties, resourceProviderProperties);
            open.add(p);
            resourceProperties.add(resourceProviderProperties);
            return p;
        }

        @Override
        public JDBCConnectionProvider getProviderFor(DataSource ds, Map<String, Object> resourceProviderProperties) {
            throw new UnsupportedOperationException();
        }

        @Override
        public JDBCConnectionProvider getProviderFor(java.sql.Driver driver, Properties jdbcProperties,
                Map<String, Object> resourceProviderProperties) {
            throw new UnsupportedOperationException();
        }

        @Override
        public JDBCConnectionProvider getProviderFor(XADataSource ds, Map<String, Object> resourceProviderProperties) {
            throw new UnsupportedOperationException();
        }

        @Override
        public synchronized void releaseProvider(JDBCConnectionProvider provider) {
            if (!open.remove(provider)) {
                throw new IllegalArgumentException("not an open provider: " + provider);
            }
            delegate.releaseProvider(provider);
        }
    }
}
