package io.sink.server.auth.internal;

import io.sink.api.text.Printable;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The allow-list: a directory where the file {@code <client-id>.pem} holds the one certificate that
 * admits the client {@code <client-id>}. A presented leaf certificate admits a client when its DER
 * bytes equal that certificate's.
 *
 * <p>{@link #scan()} reads the directory again and swaps in a new immutable snapshot, so lookups never
 * wait for a scan and never see half of one. Files that cannot admit anybody (bad names, unreadable or
 * malformed content, a private key, a certificate that two files share) are ignored and reported once
 * per problem at WARN, naming the file and the reason; names starting with "." (editor and
 * atomic-write temporaries, Kubernetes' {@code ..data}) are skipped quietly.
 *
 * <p>Thread-safe: lookups from any thread, scans serialized.
 */
final class AllowList {
    static final String SUFFIX = ".pem";
    /** A certificate is a few KiB; anything much larger is not one and is not read. */
    static final int MAX_FILE_BYTES = 64 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(AllowList.class);
    private static final byte[] PRIVATE_KEY_MARKER = "PRIVATE KEY-----".getBytes(StandardCharsets.US_ASCII);
    private static final Snapshot EMPTY = new Snapshot(Map.of(), Map.of());

    /** One admitted client. */
    record Entry(String clientId, String fileName, byte[] der, String fingerprint, String subject) {
    }

    /**
     * What a scan found.
     *
     * @param clients the clients admitted now
     * @param added   clients admitted now that were not before
     * @param removed clients admitted before and not now
     * @param changed clients admitted before and now, by a different certificate
     */
    record ScanResult(SortedSet<String> clients, SortedSet<String> added, SortedSet<String> removed,
            SortedSet<String> changed) {
        /** The clients whose earlier certificate no longer admits them: their live connections must close. */
        SortedSet<String> revoked() {
            SortedSet<String> revoked = new TreeSet<>(removed);
            revoked.addAll(changed);
            return Collections.unmodifiableSortedSet(revoked);
        }
    }

    private record Snapshot(Map<String, Entry> byClient, Map<String, Entry> byFingerprint) {
    }

    /** The outcome of reading one file: an entry, or the reason it admits nobody. */
    private record Parsed(Entry entry, String problem) {
        static Parsed problem(String problem) {
            return new Parsed(null, problem);
        }
    }

    private record Cached(byte[] content, Parsed parsed) {
    }

    private final Path directory;
    private volatile Snapshot snapshot = EMPTY;
    private final Object scanLock = new Object();
    /** Guarded by scanLock: last content and parse of each file, so unchanged files are not parsed again. */
    private final Map<String, Cached> cache = new HashMap<>();
    /** Guarded by scanLock: the problem last reported for each file name, to report each problem once. */
    private final Map<String, String> reported = new HashMap<>();

    AllowList(Path directory) {
        this.directory = directory.toAbsolutePath().normalize();
    }

    Path directory() {
        return directory;
    }

    /**
     * Reads the directory and makes what it holds the allow-list. A missing directory is an empty
     * allow-list (every client locked out).
     *
     * @throws IOException the directory exists but cannot be listed; the allow-list is left as it was
     */
    ScanResult scan() throws IOException {
        synchronized (scanLock) {
            Map<String, Parsed> parsedByFile = readDirectory();
            Map<String, Entry> byClient = new TreeMap<>();
            Map<String, List<Entry>> byFingerprint = new HashMap<>();
            Map<String, String> problems = new TreeMap<>();
            parsedByFile.forEach((file, parsed) -> {
                if (parsed.entry() == null) {
                    problems.put(file, parsed.problem());
                } else {
                    byFingerprint.computeIfAbsent(parsed.entry().fingerprint(), f -> new ArrayList<>()).add(parsed.entry());
                }
            });
            Map<String, Entry> uniqueByFingerprint = new HashMap<>();
            byFingerprint.forEach((fingerprint, entries) -> {
                if (entries.size() == 1) {
                    Entry entry = entries.get(0);
                    uniqueByFingerprint.put(fingerprint, entry);
                    byClient.put(entry.clientId(), entry);
                } else {
                    List<String> files = entries.stream().map(Entry::fileName).sorted().toList();
                    for (Entry entry : entries) {
                        problems.put(entry.fileName(), "holds the same certificate (SHA-256 " + fingerprint + ") as "
                                + files.stream().filter(f -> !f.equals(entry.fileName())).toList()
                                + ": a certificate must name exactly one client, so none of them is admitted");
                    }
                }
            });
            report(problems);
            Snapshot before = snapshot;
            snapshot = new Snapshot(Collections.unmodifiableMap(byClient), Map.copyOf(uniqueByFingerprint));
            return diff(before.byClient(), byClient);
        }
    }

    private Map<String, Parsed> readDirectory() throws IOException {
        Map<String, Parsed> parsedByFile = new TreeMap<>();
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory)) {
            stream.forEach(files::add);
        } catch (NoSuchFileException | NotDirectoryException e) {
            if (!"missing".equals(reported.put("", "missing"))) {
                LOG.warn("Allow-list directory {} does not exist or is not a directory: no client is admitted", directory);
            }
            cache.clear();
            return parsedByFile;
        }
        if (reported.remove("") != null) {
            LOG.info("Allow-list directory {} is back", directory);
        }
        for (Path file : files) {
            String name = file.getFileName().toString();
            if (name.startsWith(".")) {
                LOG.debug("Skipping hidden allow-list entry {}", Printable.text(String.valueOf(file)));
                continue;
            }
            parsedByFile.put(name, read(file, name));
        }
        cache.keySet().retainAll(parsedByFile.keySet());
        return parsedByFile;
    }

    private Parsed read(Path file, String name) {
        if (!name.endsWith(SUFFIX)) {
            return Parsed.problem("its name does not end in " + SUFFIX);
        }
        String clientId = name.substring(0, name.length() - SUFFIX.length());
        if (!ClientIds.isValid(clientId)) {
            return Parsed.problem(Printable.quoted(clientId) + " is not a valid client id (" + ClientIds.RULE + ")");
        }
        // Checked before reading: a FIFO or device would block or never end.
        if (!Files.isRegularFile(file)) {
            return Parsed.problem("it is not a regular file");
        }
        byte[] content;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                return Parsed.problem("it is larger than " + MAX_FILE_BYTES + " bytes, too large for a certificate");
            }
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            cache.remove(name);
            return Parsed.problem("it cannot be read: " + e);
        }
        Cached cached = cache.get(name);
        if (cached != null && Arrays.equals(cached.content(), content)) {
            return cached.parsed();
        }
        Parsed parsed = parse(clientId, name, content);
        cache.put(name, new Cached(content, parsed));
        return parsed;
    }

    private static Parsed parse(String clientId, String name, byte[] content) {
        if (content.length == 0) {
            return Parsed.problem("it is empty");
        }
        if (content.length > MAX_FILE_BYTES) {
            return Parsed.problem("it is larger than " + MAX_FILE_BYTES + " bytes, too large for a certificate");
        }
        if (contains(content, PRIVATE_KEY_MARKER)) {
            return Parsed.problem("it holds a private key; the allow-list needs only the client's certificate "
                    + "(the file was not parsed; remove the key from it and keep it secret)");
        }
        Collection<? extends Certificate> certificates;
        try {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(content));
        } catch (CertificateException | RuntimeException e) {
            return Parsed.problem("it is not a PEM (or DER) X.509 certificate: " + e.getMessage());
        }
        if (certificates.size() != 1) {
            return Parsed.problem("it holds " + certificates.size()
                    + " certificates; exactly one (the client's leaf certificate) is expected");
        }
        Certificate certificate = certificates.iterator().next();
        if (!(certificate instanceof X509Certificate x509)) {
            return Parsed.problem("it holds a " + certificate.getType() + " certificate, not an X.509 one");
        }
        byte[] der;
        try {
            der = x509.getEncoded();
        } catch (CertificateEncodingException e) {
            return Parsed.problem("its certificate cannot be encoded: " + e.getMessage());
        }
        return new Parsed(new Entry(clientId, name, der, Fingerprints.of(der),
                x509.getSubjectX500Principal().getName()), null);
    }

    private static boolean contains(byte[] content, byte[] marker) {
        outer:
        for (int i = 0; i + marker.length <= content.length; i++) {
            for (int j = 0; j < marker.length; j++) {
                if (content[i + j] != marker[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private void report(Map<String, String> problems) {
        reported.keySet().removeIf(file -> !file.isEmpty() && !problems.containsKey(file));
        problems.forEach((file, problem) -> {
            if (!problem.equals(reported.put(file, problem))) {
                LOG.warn("Ignoring allow-list file {}: {}", Printable.text(directory.resolve(file).toString()),
                        Printable.inline(problem));
            }
        });
    }

    private static ScanResult diff(Map<String, Entry> before, Map<String, Entry> after) {
        SortedSet<String> added = new TreeSet<>();
        SortedSet<String> removed = new TreeSet<>();
        SortedSet<String> changed = new TreeSet<>();
        after.forEach((clientId, entry) -> {
            Entry old = before.get(clientId);
            if (old == null) {
                added.add(clientId);
                LOG.info("Client {} admitted by allow-list file {} (subject {}, SHA-256 {})", clientId,
                        Printable.text(entry.fileName()), Printable.quoted(entry.subject()), entry.fingerprint());
            } else if (!old.fingerprint().equals(entry.fingerprint())) {
                changed.add(clientId);
                LOG.info("Certificate of client {} changed in allow-list file {}: SHA-256 {} replaces {}; "
                        + "connections made with the old certificate are closed", clientId, entry.fileName(),
                        entry.fingerprint(), old.fingerprint());
            }
        });
        before.forEach((clientId, old) -> {
            if (!after.containsKey(clientId)) {
                removed.add(clientId);
                LOG.info("Client {} (SHA-256 {}) is no longer on the allow-list: locked out", clientId, old.fingerprint());
            }
        });
        return new ScanResult(Collections.unmodifiableSortedSet(new TreeSet<>(after.keySet())),
                Collections.unmodifiableSortedSet(added), Collections.unmodifiableSortedSet(removed),
                Collections.unmodifiableSortedSet(changed));
    }

    /**
     * The client admitted by this leaf certificate, or empty (logged at WARN with the certificate's
     * subject, issuer, serial number and SHA-256 fingerprint) when none is.
     */
    Optional<String> authenticate(X509Certificate certificate) {
        if (certificate == null) {
            LOG.warn("Refused a client that presented no certificate");
            return Optional.empty();
        }
        byte[] der;
        try {
            der = certificate.getEncoded();
        } catch (CertificateEncodingException e) {
            LOG.warn("Refused a client certificate that cannot be encoded (subject {}): {}",
                    Printable.quoted(certificate.getSubjectX500Principal().getName()),
                    Printable.inline(e.getMessage()));
            return Optional.empty();
        }
        String fingerprint = Fingerprints.of(der);
        Entry entry = snapshot.byFingerprint().get(fingerprint);
        if (entry != null && MessageDigest.isEqual(entry.der(), der)) {
            return Optional.of(entry.clientId());
        }
        LOG.warn("Refused unknown client certificate: subject {}, issuer {}, serial {}, SHA-256 {} "
                + "(no matching file in allow-list {})", Printable.quoted(certificate.getSubjectX500Principal().getName()),
                Printable.quoted(certificate.getIssuerX500Principal().getName()), certificate.getSerialNumber().toString(16),
                fingerprint, directory);
        return Optional.empty();
    }

    boolean isAdmitted(String clientId) {
        return clientId != null && snapshot.byClient().containsKey(clientId);
    }

    /** The admitted client ids, sorted. */
    SortedSet<String> clients() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(snapshot.byClient().keySet()));
    }

    /** The SHA-256 fingerprint of the certificate admitting {@code clientId}. */
    Optional<String> fingerprint(String clientId) {
        return Optional.ofNullable(snapshot.byClient().get(clientId)).map(Entry::fingerprint);
    }
}
