package io.sink.tls.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecureFilesTest {

    @TempDir
    Path dir;

    @Test
    void writesWithTheGivenPermissionsAndLeavesNoTemporaryFile() throws Exception {
        Path key = dir.resolve("key.pem");
        Path certificate = dir.resolve("cert.pem");

        SecureFiles.writeAtomically(key, "secret".getBytes(StandardCharsets.US_ASCII), SecureFiles.OWNER_ONLY, false);
        SecureFiles.writeAtomically(certificate, "public".getBytes(StandardCharsets.US_ASCII),
                SecureFiles.WORLD_READABLE, false);

        assertThat(Files.readString(key)).isEqualTo("secret");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(certificate))).isEqualTo("rw-r--r--");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactlyInAnyOrder(key, certificate);
        }
    }

    @Test
    void replacesOnlyWhenAllowed() throws Exception {
        Path file = dir.resolve("f.pem");
        SecureFiles.writeAtomically(file, new byte[] {1}, SecureFiles.OWNER_ONLY, false);

        assertThatThrownBy(() -> SecureFiles.writeAtomically(file, new byte[] {2}, SecureFiles.OWNER_ONLY, false))
                .isInstanceOf(FileAlreadyExistsException.class);
        assertThat(Files.readAllBytes(file)).containsExactly(1);

        SecureFiles.writeAtomically(file, new byte[] {3}, SecureFiles.OWNER_ONLY, true);
        assertThat(Files.readAllBytes(file)).containsExactly(3);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void reportsPermissionsBeyondTheOwner() throws Exception {
        Path file = Files.createFile(dir.resolve("key.pem"));

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertThat(SecureFiles.permissionsBeyondOwner(file)).isEmpty();

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        assertThat(SecureFiles.permissionsBeyondOwner(file)).containsExactly(PosixFilePermission.GROUP_READ);

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(SecureFiles.permissionsBeyondOwner(file))
                .containsExactlyInAnyOrder(PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ);

        SecureFiles.warnIfKeyExposed(file); // logs a warning, never throws
    }
}
