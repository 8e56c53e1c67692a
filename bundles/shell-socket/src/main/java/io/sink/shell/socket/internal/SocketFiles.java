package io.sink.shell.socket.internal;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.EnumSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creating the shell socket so that only its owner can use it.
 *
 * <p>{@code bind} creates the socket file with the permissions {@code 0777 & ~umask}; with a umask of
 * 002 or 000 another user could {@code connect} in the moment between {@code bind} and a later
 * {@code chmod}, and a connection once made survives the {@code chmod}. So the socket is only ever
 * created inside a directory that is owned by this user and closed to everyone else ({@code 0700})
 * <em>before</em> {@code bind}: connecting needs search permission on every directory of the path, so
 * other users cannot reach the socket whatever its own permissions are. The socket file is then set
 * to {@code 0600} at once (in case the directory is opened later), and the server also checks each
 * peer's user ({@code SO_PEERCRED}).
 */
final class SocketFiles {
    private static final Logger LOG = LoggerFactory.getLogger(SocketFiles.class);

    static final Set<PosixFilePermission> DIRECTORY_PERMISSIONS = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> SOCKET_PERMISSIONS = PosixFilePermissions.fromString("rw-------");

    private SocketFiles() {
    }

    /** This process's user: the owner of a file it creates. */
    static UserPrincipal currentUser() throws IOException {
        Path probe = Files.createTempFile("sink-owner-", ".tmp");
        try {
            return Files.getOwner(probe);
        } finally {
            Files.deleteIfExists(probe);
        }
    }

    /**
     * Makes sure {@code dir} is an owner-only directory of {@code user}: creates it with {@code 0700}
     * when missing; when it exists, it must be a directory owned by {@code user} with no permission
     * for group or others. An existing directory is never changed: it may be shared (e.g. {@code /tmp}
     * or a folder of other programs), and closing it would break whatever else lives there.
     *
     * @throws IOException naming the directory, what is wrong and what to do, when it is not private
     */
    static void secureDirectory(Path dir, UserPrincipal user) throws IOException {
        if (Files.notExists(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(dir.toAbsolutePath().getParent());
            try {
                // The mode is applied at creation; the umask can only remove bits from 0700.
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(DIRECTORY_PERMISSIONS));
                return;
            } catch (FileAlreadyExistsException e) {
                // created meanwhile by someone else: check it like any existing one
            }
        }
        PosixFileAttributes attributes = Files.readAttributes(dir, PosixFileAttributes.class);
        if (!attributes.isDirectory()) {
            throw new IOException(dir + " is not a directory; the shell socket needs a directory there");
        }
        if (!attributes.owner().equals(user)) {
            throw new IOException(dir + " belongs to " + attributes.owner().getName() + ", not to "
                    + user.getName() + " who runs Sink: the shell socket must be in a directory of its own user");
        }
        Set<PosixFilePermission> open = EnumSet.copyOf(attributes.permissions());
        open.removeAll(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_EXECUTE));
        if (!open.isEmpty()) {
            throw new IOException(dir + " is open to other users (" + PosixFilePermissions.toString(
                    attributes.permissions()) + "): the shell socket must be in a folder only its owner can use."
                    + " Choose a path in a private folder (configuration io.sink.shell.socket, property path), or"
                    + " make this one private yourself (chmod 700 " + dir + ") if nothing else needs it open");
        }
    }

    /**
     * Removes a socket file left behind by an instance that is gone (nothing accepts connections on
     * it); does nothing when there is no file.
     *
     * @throws IOException when another process is listening on it, or when the path is not a socket
     */
    static void removeStaleSocket(Path socket) throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.NoSuchFileException e) {
            return;
        }
        if (!attributes.isOther()) {
            throw new IOException(socket + " exists and is not a socket; move it away");
        }
        SocketChannel probe;
        try {
            probe = SocketChannel.open(Wire.address(socket));
        } catch (ConnectException e) {
            Files.deleteIfExists(socket);
            LOG.info("Removed the stale shell socket {} of an instance that is gone", socket);
            return;
        }
        probe.close();
        throw new IOException("another process is listening on " + socket + ": is this instance already running?");
    }

    /**
     * Binds a listening socket at {@code socket} ({@link Wire#address}) and sets the file to {@code 0600}.
     */
    static ServerSocketChannel bind(Path socket, int backlog) throws IOException {
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.bind(Wire.address(socket), backlog);
            Files.setPosixFilePermissions(socket, SOCKET_PERMISSIONS);
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

}
