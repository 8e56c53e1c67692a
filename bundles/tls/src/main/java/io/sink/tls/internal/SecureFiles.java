package io.sink.tls.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/** Atomic file writing with explicit permissions, and the private key permission check. */
public final class SecureFiles {

    /** rw------- : private keys. */
    public static final Set<PosixFilePermission> OWNER_ONLY =
            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    /** rw-r--r-- : certificates, which are public. */
    public static final Set<PosixFilePermission> WORLD_READABLE = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE, PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ);

    private static final Set<PosixFilePermission> NOT_OWNER = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private SecureFiles() {
    }

    /**
     * Writes {@code content} to {@code target} through a temporary file in the same directory that
     * is created with owner-only permissions, flushed to disk, given {@code permissions} and then
     * moved over the target, so a reader never sees a partial file and a key is never readable by
     * others, not even for a moment.
     *
     * @param replace whether an existing target may be replaced; if not and it exists,
     *                {@link FileAlreadyExistsException}
     */
    public static void writeAtomically(Path target, byte[] content, Set<PosixFilePermission> permissions,
            boolean replace) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        boolean posix = isPosix(dir);
        Path tmp = posix
                ? Files.createTempFile(dir, "." + absolute.getFileName(), ".tmp",
                        PosixFilePermissions.asFileAttribute(OWNER_ONLY))
                : Files.createTempFile(dir, "." + absolute.getFileName(), ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            if (posix) {
                Files.setPosixFilePermissions(tmp, permissions);
            }
            if (!replace && Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
                throw new FileAlreadyExistsException(absolute.toString());
            }
            try {
                Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Creates a directory (and parents); a directory it creates is owner-only (rwx------) on POSIX. */
    public static void createDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null) {
            createDirectories(parent);
        }
        if (parent != null && isPosix(parent)) {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } else {
            Files.createDirectory(dir);
        }
    }

    /**
     * The permissions of {@code file} that let someone other than its owner read or change it;
     * empty when there are none or the file system has no POSIX permissions.
     */
    public static Set<PosixFilePermission> permissionsBeyondOwner(Path file) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (view == null) {
            return Set.of();
        }
        Set<PosixFilePermission> beyond = EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission permission : view.readAttributes().permissions()) {
            if (NOT_OWNER.contains(permission)) {
                beyond.add(permission);
            }
        }
        return beyond;
    }

    /**
     * Logs a warning when a private key file can be read by group or others. Never fails: the file
     * may be shared deliberately (a container volume, a group-readable secret).
     */
    public static void warnIfKeyExposed(Path keyFile) {
        try {
            Set<PosixFilePermission> beyond = permissionsBeyondOwner(keyFile);
            if (beyond.contains(PosixFilePermission.GROUP_READ) || beyond.contains(PosixFilePermission.OTHERS_READ)) {
                Set<PosixFilePermission> all = Files.getPosixFilePermissions(keyFile);
                TlsLog.warn("private key file {} is readable by {} (permissions {}); restrict it to its owner"
                        + " (chmod 600)", keyFile,
                        beyond.contains(PosixFilePermission.OTHERS_READ) ? "others" : "its group",
                        PosixFilePermissions.toString(all));
            }
        } catch (IOException | UnsupportedOperationException e) {
            TlsLog.debug("cannot check the permissions of {}", keyFile, e);
        }
    }

    private static boolean isPosix(Path dir) throws IOException {
        return Files.getFileStore(dir).supportsFileAttributeView(PosixFileAttributeView.class);
    }
}
