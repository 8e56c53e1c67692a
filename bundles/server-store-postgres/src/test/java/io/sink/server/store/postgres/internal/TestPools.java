package io.sink.server.store.postgres.internal;

import io.sink.server.store.postgres.PostgresServer;
import io.sink.sqlite.AriesFixture;
import io.sink.sqlite.AriesSqlitePools;

/** The two Aries pools of a store on a database of the test server, as the components open them. */
final class TestPools {

    private TestPools() {
    }

    static PostgresSettings settings(PostgresServer pg, String database, int maxWritesPerTransaction) {
        return new PostgresSettings(pg.jdbcUrl(database), PostgresServer.USER, pg.passwordFile(),
                maxWritesPerTransaction, 2, 10);
    }

    static AriesSqlitePools open(AriesFixture aries, PostgresSettings settings) {
        String password = settings.readPassword();
        return AriesSqlitePools.open(aries.dataSourceFactory, aries.transactionControl, aries.providerFactory,
                settings.jdbcProperties(password, true), settings.jdbcProperties(password, false),
                settings.readConnections(), "test database " + settings.databaseName());
    }
}
