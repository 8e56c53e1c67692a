package io.sink.tls;

import io.sink.tls.internal.SecureFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
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
 * <li>{@code ca.pem}, {@code ca-key.pem}: a development CA (CN=Sink Development CA, 10 years);</li>
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
 * io.sink.tls.DevCertificates <dir> [client-name ...]} (default client name {@value #DEFAULT_CLIENT}).
 */
public final class DevCertificates {

    public static final String CA_CERTIFICATE = "ca.pem";
    public static final String CA_KEY = "ca-key.pem";
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
        clientNames.forEach(DevCertificates::checkClientName);
        SecureFiles.createDirectories(dir);
        List<Path> created = new ArrayList<>();
        Path caCertificate = dir.resolve(CA_CERTIFICATE);
        Path caKey = dir.resolve(CA_KEY);
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
        return DevCertificateAuthority.load(dir.resolve(CA_CERTIFICATE), dir.resolve(CA_KEY));
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
                    + " <dir> [client-name ...]");
            err.println("  creates, when missing: <dir>/" + CA_CERTIFICATE + ", " + CA_KEY + ", " + SERVER_CERTIFICATE
                    + ", " + SERVER_KEY + " and <client-name>.pem, <client-name>-key.pem (default client: "
                    + DEFAULT_CLIENT + ")");
            return args.length == 0 ? 2 : 0;
        }
        Path dir = Path.of(args[0]);
        List<String> clients = args.length > 1 ? Arrays.asList(args).subList(1, args.length) : List.of(DEFAULT_CLIENT);
        try {
            List<Path> created = ensure(dir, clients);
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
