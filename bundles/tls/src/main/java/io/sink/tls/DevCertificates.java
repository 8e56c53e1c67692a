package io.sink.tls;

import io.sink.tls.internal.SecureFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Development certificates in a directory, created when missing:
 * <ul>
 * <li>{@code ca.pem}: the development CA's certificate (CN=Sink Development CA, 10 years), which both
 * roles trust;</li>
 * <li>{@code ca-key.pem}: the CA's private key, in a folder of its own ({@code caDir}, owner-only),
 * kept apart from what the roles read and from what a device image would copy: whoever holds it can
 * mint a server certificate. By default {@code <dir>/}{@value #CA_PRIVATE_DIR}; the distribution's
 * {@code bin/sink certs} keeps it in {@code <dist>/ca/}, outside {@code certs/};</li>
 * <li>{@code server.pem}, {@code server-key.pem}: a server certificate (CN=localhost, SAN
 * DNS:localhost and IP:127.0.0.1, 825 days);</li>
 * <li>{@code <name>.pem}, {@code <name>-key.pem}: a client certificate (CN=&lt;name&gt;, 825 days)
 * per client name.</li>
 * </ul>
 * All keys are EC P-256, written as PKCS#8 with owner-only permissions (rw-------); every file is
 * written atomically. Existing files are never changed, so running it again creates only what is
 * missing.
 *
 * <p>Command line: {@code java -cp sink-tls.jar:bcprov-jdk18on.jar:bcpkix-jdk18on.jar:bcutil-jdk18on.jar
 * io.sink.tls.DevCertificates <dir> [--ca <ca-dir>] [client-name ...]} (default client name
 * {@value #DEFAULT_CLIENT}).
 *
 * <p>A {@code ca-key.pem} left in {@code <dir>} by an earlier version is moved into {@code caDir}.
 */
public final class DevCertificates {

    public static final String CA_CERTIFICATE = "ca.pem";
    public static final String CA_KEY = "ca-key.pem";
    /** The CA key's folder inside the certificates' folder when no other is given. */
    public static final String CA_PRIVATE_DIR = "ca-private";
    public static final String SERVER_CERTIFICATE = "server.pem";
    public static final String SERVER_KEY = "server-key.pem";
    public static final String DEFAULT_CLIENT = "example-client";
    public static final String CA_COMMON_NAME = "Sink Development CA";
    public static final String SERVER_COMMON_NAME = "localhost";
    public static final List<String> SERVER_DNS_NAMES = List.of("localhost");
    public static final List<String> SERVER_IP_ADDRESSES = List.of("127.0.0.1");

    private static final Pattern CLIENT_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Set<String> RESERVED = Set.of("ca", "server");

    private DevCertificates() {
    }

    /**
     * Creates in {@code dir} (made if missing, owner-only) whatever of the CA, the server pair and
     * the client pairs of {@code clientNames} is missing, and returns the files it created, in
     * order; an empty list when everything was there. A pair with only one of its two files fails:
     * delete the other to have both made again.
     */
    public static List<Path> ensure(Path dir, List<String> clientNames) throws IOException {
        return ensure(dir, defaultCaDirectory(dir), clientNames);
    }

    /**
     * As {@link #ensure(Path, List)}, with the CA's private key in {@code caDir} (made if missing,
     * owner-only) rather than in {@code <dir>/}{@value #CA_PRIVATE_DIR}.
     */
    public static List<Path> ensure(Path dir, Path caDir, List<String> clientNames) throws IOException {
        clientNames.forEach(DevCertificates::checkClientName);
        SecureFiles.createDirectories(dir);
        SecureFiles.createDirectories(caDir);
        List<Path> created = new ArrayList<>();
        Path caCertificate = dir.resolve(CA_CERTIFICATE);
        Path caKey = caDir.resolve(CA_KEY);
        moveOldCaKey(dir, caKey);
        if (missingPair(caCertificate, caKey)) {
            DevCertificateAuthority.generate(CA_COMMON_NAME).write(caCertificate, caKey, false);
            created.add(caCertificate);
            created.add(caKey);
        }
        DevCertificateAuthority authority = DevCertificateAuthority.load(caCertificate, caKey);
        issueIfMissing(dir.resolve(SERVER_CERTIFICATE), dir.resolve(SERVER_KEY),
                () -> authority.issueServer(SERVER_COMMON_NAME, SERVER_DNS_NAMES, SERVER_IP_ADDRESSES), created);
        for (String name : clientNames) {
            issueIfMissing(clientCertificate(dir, name), clientKey(dir, name), () -> authority.issueClient(name),
                    created);
        }
        return List.copyOf(created);
    }

    /** The development CA of {@code dir}, to issue more certificates in memory (see {@link #ensure}). */
    public static DevCertificateAuthority authority(Path dir) throws TlsFileException {
        return authority(dir, defaultCaDirectory(dir));
    }

    /** The development CA whose certificate is in {@code dir} and private key in {@code caDir}. */
    public static DevCertificateAuthority authority(Path dir, Path caDir) throws TlsFileException {
        return DevCertificateAuthority.load(dir.resolve(CA_CERTIFICATE), caDir.resolve(CA_KEY));
    }

    /** {@code <dir>/}{@value #CA_PRIVATE_DIR}: the CA key's folder when no other is given. */
    public static Path defaultCaDirectory(Path dir) {
        return dir.resolve(CA_PRIVATE_DIR);
    }

    /** An earlier layout kept the CA key beside the certificates: move it where it belongs. */
    private static void moveOldCaKey(Path dir, Path caKey) throws IOException {
        Path old = dir.resolve(CA_KEY);
        if (!old.equals(caKey) && Files.exists(old, LinkOption.NOFOLLOW_LINKS)
                && !Files.exists(caKey, LinkOption.NOFOLLOW_LINKS)) {
            Files.move(old, caKey, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /** The server's files in {@code dir}: server.pem, server-key.pem, trusting ca.pem. */
    public static TlsConfig serverConfig(Path dir) {
        return new TlsConfig(dir.resolve(SERVER_CERTIFICATE), dir.resolve(SERVER_KEY), dir.resolve(CA_CERTIFICATE));
    }

    /** A client's files in {@code dir}: &lt;name&gt;.pem, &lt;name&gt;-key.pem, trusting ca.pem. */
    public static TlsConfig clientConfig(Path dir, String clientName) {
        checkClientName(clientName);
        return new TlsConfig(clientCertificate(dir, clientName), clientKey(dir, clientName),
                dir.resolve(CA_CERTIFICATE));
    }

    /** {@code <dir>/<name>.pem}. */
    public static Path clientCertificate(Path dir, String clientName) {
        return dir.resolve(checkClientName(clientName) + ".pem");
    }

    /** {@code <dir>/<name>-key.pem}. */
    public static Path clientKey(Path dir, String clientName) {
        return dir.resolve(checkClientName(clientName) + "-key.pem");
    }

    /**
     * The command line: {@code DevCertificates <dir> [client-name ...]}. Prints what it created
     * and each new certificate's SHA-256 fingerprint; exits with 1 on failure, 2 on bad usage.
     */
    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /** The command line's work, for {@link #main} and tests: returns the exit status. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
            err.println("usage: java -cp <sink-tls and bouncy castle jars> " + DevCertificates.class.getName()
                    + " <dir> [--ca <ca-dir>] [client-name ...]");
            err.println("  creates, when missing: <dir>/" + CA_CERTIFICATE + ", " + SERVER_CERTIFICATE + ", " + SERVER_KEY
                    + ", <client-name>.pem, <client-name>-key.pem (default client: " + DEFAULT_CLIENT + ") and the CA's"
                    + " private key <ca-dir>/" + CA_KEY + " (default <dir>/" + CA_PRIVATE_DIR + ")");
            return args.length == 0 ? 2 : 0;
        }
        Path dir = Path.of(args[0]);
        int first = 1;
        Path caDir = defaultCaDirectory(dir);
        if (args.length > 1 && args[1].equals("--ca")) {
            if (args.length < 3) {
                err.println("error: --ca needs a folder, e.g. --ca ca");
                return 2;
            }
            caDir = Path.of(args[2]);
            first = 3;
        }
        List<String> clients = args.length > first ? Arrays.asList(args).subList(first, args.length)
                : List.of(DEFAULT_CLIENT);
        try {
            boolean oldLayout = !dir.resolve(CA_KEY).equals(caDir.resolve(CA_KEY))
                    && Files.exists(dir.resolve(CA_KEY), LinkOption.NOFOLLOW_LINKS)
                    && !Files.exists(caDir.resolve(CA_KEY), LinkOption.NOFOLLOW_LINKS);
            List<Path> created = ensure(dir, caDir, clients);
            if (oldLayout) {
                out.println("moved " + dir.resolve(CA_KEY) + " to " + caDir.resolve(CA_KEY)
                        + ": the CA's private key is kept apart from the certificates");
            }
            for (Path file : created) {
                if (file.getFileName().toString().endsWith("-key.pem")) {
                    out.println("created " + file + " (private key, owner-only)");
                } else {
                    X509Certificate certificate = PemFiles.readCertificates(file).get(0);
                    out.println("created " + file + " (" + Certificates.subject(certificate) + ", SHA-256 "
                            + Certificates.sha256Fingerprint(certificate) + ")");
                }
            }
            if (created.isEmpty()) {
                out.println("nothing to do: all certificates are present in " + dir);
            }
            return 0;
        } catch (IOException | IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return e instanceof IllegalArgumentException ? 2 : 1;
        }
    }

    private static void issueIfMissing(Path certificate, Path key, Supplier<IssuedCertificate> issue,
            List<Path> created) throws IOException {
        if (missingPair(certificate, key)) {
            issue.get().write(certificate, key, false);
            created.add(certificate);
            created.add(key);
        }
    }

    /** Whether both files are missing; false when both exist; fails when only one does. */
    private static boolean missingPair(Path certificate, Path key) throws TlsFileException {
        boolean certificateExists = Files.exists(certificate, LinkOption.NOFOLLOW_LINKS);
        boolean keyExists = Files.exists(key, LinkOption.NOFOLLOW_LINKS);
        if (certificateExists != keyExists) {
            Path present = certificateExists ? certificate : key;
            Path absent = certificateExists ? key : certificate;
            throw new TlsFileException(present, "exists but " + absent.getFileName() + " does not; restore "
                    + absent.getFileName() + ", or delete " + present.getFileName() + " to have a new pair made");
        }
        return !certificateExists;
    }

    private static String checkClientName(String name) {
        if (name == null || !CLIENT_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a client name has 1 to 64 letters, digits, '.', '_' or '-' and starts"
                    + " with a letter or digit: '" + name + "'");
        }
        if (RESERVED.contains(name.toLowerCase(Locale.ROOT)) || name.toLowerCase(Locale.ROOT).endsWith("-key")) {
            throw new IllegalArgumentException("the client name '" + name + "' would clash with the CA or server files");
        }
        return name;
    }
}
