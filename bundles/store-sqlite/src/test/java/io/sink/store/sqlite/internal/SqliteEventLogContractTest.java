package io.sink.store.sqlite.internal;

import io.sink.api.client.GroundEventLog;
import io.sink.api.client.InstanceIdStore;
import io.sink.store.contract.GroundEventLogContract;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on the SQLite log, each log in a directory of its own. */
class SqliteEventLogContractTest extends GroundEventLogContract {
    @TempDir
    Path dir;

    @Override
    protected GroundEventLog createLog() throws Exception {
        return TestStores.open(Files.createTempDirectory(dir, "log"));
    }

    @Override
    protected void close(GroundEventLog log) {
        ((SqliteEventLog) log).close();
    }

    @Override
    protected InstanceIdStore instanceIdStore(GroundEventLog log) {
        return (SqliteEventLog) log;
    }
}
