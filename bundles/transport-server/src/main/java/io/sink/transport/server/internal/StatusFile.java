package io.sink.transport.server.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A one-line file saying whether the server listens ({@code listening 127.0.0.1:4000}) or not
 * ({@code not-listening <reason>}), replaced atomically at each change: how {@code bin/sink server
 * start} learns whether the server came up, without talking to it. No file when not configured.
 */
final class StatusFile {
    private static final Logger LOG = LoggerFactory.getLogger(StatusFile.class);
    private final Path path;

    /** @param path the file, or null for none */
    StatusFile(Path path) {
        this.path = path;
    }

    static StatusFile none() {
        return new StatusFile(null);
    }

    Path path() {
        return path;
    }

    void listening(String address) {
        write("listening " + address);
    }

    void notListening(String reason) {
        write("not-listening " + reason.replace('\n', ' ').replace('\r', ' '));
    }

    void stopped() {
        write("stopped");
    }

    private void write(String line) {
        if (path == null) {
            return;
        }
        try {
            Path dir = path.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path temp = Files.createTempFile(dir, "." + path.getFileName(), ".tmp");
            Files.writeString(temp, line + "\n", StandardCharsets.UTF_8);
            Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot write the status file {}: {}", path, e.toString());
        }
    }
}
