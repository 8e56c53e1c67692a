package io.sink.server.auth.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Crash-safe file replacement: the content goes to a temporary file in the same directory, which is
 * flushed to the disk, atomically renamed over the target, and the directory is flushed too. After a
 * kill -9 or a power loss the target holds either its old content or its new content, never a mix;
 * at worst a temporary file is left behind, which {@link #removeLeftovers} deletes at the next start.
 *
 * <p>Temporary files are named {@code .<target>.<random>.tmp}: hidden, and never taken for a target.
 */
final class AtomicFiles {
    private static final String TEMP_PREFIX = ".";
    private static final String TEMP_SUFFIX = ".tmp";
    private static final boolean WINDOWS = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");

    private AtomicFiles() {
    }

    /** Replaces (or creates) {@code target} with {@code content}; durable when this returns. */
    static void write(Path target, byte[] content) throws IOException {
        Path directory = target.toAbsolutePath().getParent();
        // createTempFile gives owner-only permissions on POSIX systems: registry files are private.
        Path temporary = Files.createTempFile(directory, TEMP_PREFIX + target.getFileName() + ".", TEMP_SUFFIX);
        boolean moved = false;
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
        } finally {
            if (!moved) {
                deleteQuietly(temporary);
            }
        }
        syncDirectory(directory);
    }

    /** Deletes {@code target} if it exists, durably. */
    static boolean delete(Path target) throws IOException {
        boolean deleted = Files.deleteIfExists(target);
        if (deleted) {
            syncDirectory(target.toAbsolutePath().getParent());
        }
        return deleted;
    }

    /** Renames {@code source} to {@code target} atomically (replacing it), durably. */
    static void rename(Path source, Path target) throws IOException {
        Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(target.toAbsolutePath().getParent());
    }

    /** Creates {@code directory} and its missing parents, durably. */
    static void createDirectories(Path directory) throws IOException {
        Path absolute = directory.toAbsolutePath();
        if (Files.isDirectory(absolute)) {
            return;
        }
        List<Path> missing = new ArrayList<>();
        for (Path p = absolute; p != null && !Files.exists(p); p = p.getParent()) {
            missing.add(p);
        }
        Files.createDirectories(absolute);
        for (Path created : missing) {
            if (created.getParent() != null) {
                syncDirectory(created.getParent());
            }
        }
    }

    /**
     * Flushes a directory's entries (names created, renamed or deleted in it) to the disk. Windows
     * cannot open a directory for this; its rename is durable on NTFS by itself.
     */
    static void syncDirectory(Path directory) throws IOException {
        if (WINDOWS) {
            return;
        }
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    static boolean isTemporary(String fileName) {
        return fileName.startsWith(TEMP_PREFIX) && fileName.endsWith(TEMP_SUFFIX);
    }

    /** Deletes the temporary files an interrupted {@link #write} left in {@code directory}; returns them. */
    static List<Path> removeLeftovers(Path directory) throws IOException {
        List<Path> removed = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory,
                p -> isTemporary(p.getFileName().toString()) && Files.isRegularFile(p))) {
            for (Path leftover : stream) {
                Files.deleteIfExists(leftover);
                removed.add(leftover);
            }
        }
        if (!removed.isEmpty()) {
            syncDirectory(directory);
        }
        return removed;
    }

    private static void deleteQuietly(Path temporary) {
        try {
            Files.deleteIfExists(temporary);
        } catch (IOException e) {
            // The write already fails with the original exception; a leftover is removed at the next start.
            org.slf4j.LoggerFactory.getLogger(AtomicFiles.class).warn("Could not delete temporary file {}", temporary, e);
        }
    }
}
