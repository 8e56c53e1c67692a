package io.sink.server.auth.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.sink.server.auth.contract.RegistryStorageContract;
import io.sink.server.auth.storage.RegistryStorage;
import io.sink.testsupport.DsConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry storage contract on the files (the component, as DS makes it); the file format is in RegistryTest. */
class FileRegistryStorageTest extends RegistryStorageContract {

    @TempDir
    Path dir;

    @Override
    protected RegistryStorage open() throws Exception {
        return new FileRegistryStorageComponent(DsConfig.of(RegistryComponent.Config.class,
                Map.of("stateDir", dir.resolve("registry").toString())));
    }

    @Test
    void eachClientIsOneFile() throws Exception {
        storage.put(registered("alice", 7));
        assertThat(dir.resolve("registry/clients/alice.properties")).isRegularFile();
        assertThat(Files.readString(dir.resolve("registry/clients/alice.properties"))).contains("client.instance.id=7");
        assertThat(storage.toString()).isEqualTo("files in " + dir.resolve("registry"));
    }
}
