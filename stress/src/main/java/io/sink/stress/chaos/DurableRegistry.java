package io.sink.stress.chaos;

import io.sink.api.InstanceId;
import io.sink.api.server.ClientRecord;
import io.sink.api.server.ClientRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A client registry kept in a directory, durable across a SIGKILL: the server's instance id in
 * {@code server.id} (made on the first start) and each client's instance id in
 * {@code client-<id>.id}. Each file is written to a temporary file, synced, renamed over the old one
 * and the directory synced, so a kill leaves the old or the new content, never a torn file.
 *
 * <p>The protocol requires the server to keep its own instance id and each client's durably: a
 * server restarted with an in-memory registry would answer {@code instance_id_mismatch} to a client
 * that already knows it. (The framework's registry, in {@code sink-server-auth}, is internal to its
 * bundle; this is the same contract in a few lines, for the chaos server.) Quarantines and version
 * policies are not needed here: every version is accepted.
 */
final class DurableRegistry implements ClientRegistry {
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private final Path dir;
    private final InstanceId serverInstanceId;

    private DurableRegistry(Path dir, InstanceId serverInstanceId) {
        this.dir = dir;
        this.serverInstanceId = serverInstanceId;
    }

    /** Opens the registry in {@code dir}, creating the directory and the server's instance id if missing. */
    static DurableRegistry open(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path serverFile = dir.resolve("server.id");
        Optional<Long> stored = read(serverFile);
        long id;
        if (stored.isPresent()) {
            id = stored.get();
        } else {
            id = InstanceId.random(new SecureRandom()).value();
            write(dir, serverFile, id);
        }
        return new DurableRegistry(dir, new InstanceId(id));
    }

    InstanceId serverInstanceId() {
        return serverInstanceId;
    }

    @Override
    public synchronized ClientRecord record(String clientId) throws IOException {
        return new ClientRecord(serverInstanceId, read(clientFile(clientId)).map(InstanceId::new), Optional.empty());
    }

    @Override
    public synchronized void registerClientInstanceId(String clientId, InstanceId clientInstanceId)
            throws IOException {
        Path file = clientFile(clientId);
        Optional<Long> existing = read(file);
        if (existing.isPresent() && existing.get() != clientInstanceId.value()) {
            throw new IllegalStateException("client " + clientId + " already has instance id " + existing.get()
                    + "; refusing to replace it with " + clientInstanceId.value());
        }
        if (existing.isEmpty()) {
            write(dir, file, clientInstanceId.value());
        }
    }

    private Path clientFile(String clientId) {
        if (!SAFE.matcher(clientId).matches()) {
            throw new IllegalArgumentException("client id '" + clientId + "' cannot name a registry file");
        }
        return dir.resolve("client-" + clientId + ".id");
    }

    private static Optional<Long> read(Path file) throws IOException {
        try {
            String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
            try {
                return Optional.of(Long.parseLong(text));
            } catch (NumberFormatException e) {
                throw new IOException("registry file " + file + " does not hold an instance id: '" + text + "'", e);
            }
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    private static void write(Path dir, Path file, long value) throws IOException {
        Path temporary = dir.resolve(file.getFileName() + ".tmp");
        try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer bytes = ByteBuffer.wrap((value + "\n").getBytes(StandardCharsets.US_ASCII));
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
            out.force(true);
        }
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
            directory.force(true);
        }
    }
}
