package io.sink.server.auth.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.testsupport.DsConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configuration validation, and the components activated and deactivated outside a framework. */
class SettingsTest {
    @TempDir
    Path dir;

    @Test
    void authDefaultsAreValid() {
        AuthSettings settings = AuthSettings.from("certs/clients", 5);
        assertThat(settings.allowListDir().isAbsolute()).isTrue();
        assertThat(settings.allowListDir().endsWith(Path.of("certs", "clients"))).isTrue();
        assertThat(settings.rescanInterval()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void badAuthPropertiesAreNamed() {
        assertThatThrownBy(() -> AuthSettings.from(" ", 5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("allowListDir");
        assertThatThrownBy(() -> AuthSettings.from("a\0b", 5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("allowListDir");
        assertThatThrownBy(() -> AuthSettings.from("x", 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("rescanSeconds").hasMessageContaining("got 0");
        assertThatThrownBy(() -> AuthSettings.from("x", 3601)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("rescanSeconds");
    }

    @Test
    void badRegistryPropertiesAreNamed() {
        assertThatThrownBy(() -> RegistrySettings.from("", "")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("stateDir");
        assertThatThrownBy(() -> RegistrySettings.from("x", "1.x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("minimumApplicationVersion").hasMessageContaining("\"1.x\"");
        assertThat(RegistrySettings.from("x", " 1.2.0 ").versionPolicy().minimum()).hasValueSatisfying(
                v -> assertThat(v.toString()).isEqualTo("1.2.0"));
    }

    @Test
    void authenticatorComponentRunsWithDefaultsAndStops() throws Exception {
        TestCertificates.Minted alice = TestCertificates.mint("alice");
        Files.createDirectory(dir.resolve("clients"));
        Files.writeString(dir.resolve("clients").resolve("alice.pem"), alice.pem());
        AuthenticatorComponent component = new AuthenticatorComponent(DsConfig.of(AuthenticatorComponent.Config.class,
                Map.of("allowListDir", dir.resolve("clients").toString())));
        try {
            assertThat(component.authenticate(alice.certificate())).contains("alice");
            assertThat(component.allowedClients()).containsExactly("alice");
            assertThat(component.fingerprint("alice")).isEqualTo(Fingerprints.of(alice.der()));
        } finally {
            component.deactivate();
        }
    }

    @Test
    void authenticatorComponentRefusesBadConfiguration() {
        assertThatThrownBy(() -> new AuthenticatorComponent(DsConfig.of(AuthenticatorComponent.Config.class,
                Map.of("allowListDir", dir.toString(), "rescanSeconds", -1))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("rescanSeconds");
    }

    @Test
    void registryComponentRunsAndRefusesBadConfiguration() throws Exception {
        RegistryComponent component = new RegistryComponent(DsConfig.of(RegistryComponent.Config.class,
                Map.of("stateDir", dir.resolve("registry").toString())));
        assertThat(component.serverInstanceId()).isNotNull();
        assertThat(component.acceptsApplicationVersion("alice", "whatever")).isTrue();
        assertThat(component.allowedClients()).isEmpty();
        assertThatThrownBy(() -> component.quarantine("alice", "m", "h")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown client alice: it is not on the allow-list and the registry remembers nothing of it");

        assertThatThrownBy(() -> new RegistryComponent(DsConfig.of(RegistryComponent.Config.class,
                Map.of("stateDir", dir.toString(), "minimumApplicationVersion", "v1"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("minimumApplicationVersion");
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertThatThrownBy(() -> new RegistryComponent(DsConfig.of(RegistryComponent.Config.class,
                Map.of("stateDir", file.toString()))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("stateDir");
    }

    @Test
    void invalidValuesSavedWhileRunningAreRefusedAndTheAuthenticatorKeepsRunning() throws Exception {
        TestCertificates.Minted alice = TestCertificates.mint("alice");
        Files.createDirectory(dir.resolve("clients"));
        Files.writeString(dir.resolve("clients").resolve("alice.pem"), alice.pem());
        AuthenticatorComponent auth = new AuthenticatorComponent(DsConfig.of(AuthenticatorComponent.Config.class,
                Map.of("allowListDir", dir.resolve("clients").toString())));
        try {
            auth.modified(Map.of("allowListDir", dir.resolve("clients").toString(), "rescanSeconds", "banana"));
            assertThat(auth.authenticate(alice.certificate())).contains("alice");
            // a valid change is applied
            Files.createDirectory(dir.resolve("other"));
            auth.modified(Map.of("allowListDir", dir.resolve("other").toString(), "rescanSeconds", "7"));
            assertThat(auth.authenticate(alice.certificate())).isEmpty();
        } finally {
            auth.deactivate();
        }
    }

    @Test
    void invalidValuesSavedWhileRunningAreRefusedInOneLineAndTheRegistryKeepsRunning() throws Exception {
        Path stateDir = dir.resolve("registry");
        Map<String, Object> initial = Map.of("stateDir", stateDir.toString(), "minimumApplicationVersion", "1.0");
        FileRegistryStorageComponent storage = new FileRegistryStorageComponent(
                DsConfig.of(RegistryComponent.Config.class, initial));
        RegistryComponent registry = new RegistryComponent(DsConfig.of(RegistryComponent.Config.class, initial),
                storage);
        var serverId = registry.serverInstanceId();
        Path file = Files.writeString(dir.resolve("file"), "x");
        String text;
        try (ErrLog log = new ErrLog()) {
            // SCR calls both components' modified methods with the same properties
            for (Map<String, Object> bad : List.<Map<String, Object>>of(
                    Map.of("stateDir", stateDir.toString(), "minimumApplicationVersion", "banana"),
                    Map.of("stateDir", file.toString(), "minimumApplicationVersion", "1.0"),
                    Map.of("stateDir", " ", "minimumApplicationVersion", "1.0"),
                    Map.of("stateDir", stateDir.toString(), "minimumApplicationVersion", List.of("1.0", "2.0")))) {
                registry.modified(bad);
                storage.modified(bad);
            }
            text = log.text();
        }
        List<String> errors = text.lines().filter(l -> l.contains("ERROR")).toList();
        assertThat(errors).hasSize(4);
        assertThat(errors).allSatisfy(l -> assertThat(l).contains("configuration io.sink.server.registry: ")
                .contains("keeps running with its previous configuration"));
        assertThat(errors.get(0)).contains("minimumApplicationVersion = 'banana' is refused: not a version");
        assertThat(errors.get(1)).contains("stateDir = \"" + file + "\" exists but is not a directory");
        assertThat(errors.get(2)).contains("stateDir = ' ' is refused: must not be empty");
        assertThat(errors.get(3)).contains("minimumApplicationVersion = '[1.0, 2.0]' is refused");
        assertThat(text.lines().filter(l -> l.contains("WARN") || l.contains("Exception"))).isEmpty();
        // still running on the previous configuration: same files, same policy
        assertThat(registry.serverInstanceId()).isEqualTo(serverId);
        assertThat(registry.acceptsApplicationVersion("alice", "1.0")).isTrue();
        assertThat(registry.acceptsApplicationVersion("alice", "0.9")).isFalse();

        // valid changes are applied
        Path other = dir.resolve("other");
        Map<String, Object> changed = Map.of("stateDir", other.toString(), "minimumApplicationVersion", "2.0");
        registry.modified(changed);
        storage.modified(changed);
        assertThat(registry.acceptsApplicationVersion("alice", "1.0")).isFalse();
        assertThat(registry.serverInstanceId()).isNotEqualTo(serverId);
        assertThat(other.resolve("server.properties")).isRegularFile();
    }
}
