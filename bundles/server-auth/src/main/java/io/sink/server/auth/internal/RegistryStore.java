package io.sink.server.auth.internal;

import io.sink.api.InstanceId;
import io.sink.api.Limits;
import io.sink.api.Nack;
import io.sink.api.text.Printable;
import io.sink.server.auth.storage.RegistryStorage;
import io.sink.server.auth.storage.StoredClient;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's default {@link RegistryStorage}: files, and their contents held in memory:
 *
 * <pre>
 * &lt;stateDir&gt;/server.properties            format=1, server.instance.id, created
 * &lt;stateDir&gt;/clients/&lt;client-id&gt;.properties format=1, client.id, and any of
 *                                        client.instance.id, client.instance.id.registered,
 *                                        quarantine.machine (base64), quarantine.human, quarantine.since
 * </pre>
 *
 * Every file is replaced atomically ({@link AtomicFiles}); a client without anything to remember has
 * no file. Reads come from memory; {@link #put} and {@link #remove} return once the change is on the
 * disk. Callers serialize changes to one client; different clients may change concurrently.
 */
final class RegistryStore implements RegistryStorage {
    static final String SERVER_FILE = "server.properties";
    static final String CLIENTS_DIR = "clients";
    static final String CLIENT_SUFFIX = ".properties";
    static final String UNREADABLE_SUFFIX = ".unreadable";
    static final String FORMAT = "1";
    /** Registry files are tiny; a larger one is damaged and not read. */
    static final int MAX_FILE_BYTES = 256 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(RegistryStore.class);

    private final Path stateDir;
    private final Path clientsDir;
    private final InstanceId serverInstanceId;
    private final Map<String, StoredClient> clients;

    private RegistryStore(Path stateDir, Path clientsDir, InstanceId serverInstanceId, Map<String, StoredClient> clients) {
        this.stateDir = stateDir;
        this.clientsDir = clientsDir;
        this.serverInstanceId = serverInstanceId;
        this.clients = clients;
    }

    /**
     * Loads the registry from {@code stateDir}, creating it (and the server's instance id) on the first
     * start. Leftover temporary files of interrupted writes are deleted. A client file that cannot be
     * read is kept as an {@linkplain StoredClient#unreadable unreadable} record.
     *
     * @throws IllegalStateException the server's instance id is unreadable, or missing while client
     *                               records exist: starting with a new one would make every client
     *                               fail with instance_id_mismatch, so the operator must decide
     * @throws IOException           the directory cannot be created or read
     */
    static RegistryStore open(Path stateDir, RandomGenerator random, Clock clock) throws IOException {
        Path root = stateDir.toAbsolutePath().normalize();
        Path clientsDir = root.resolve(CLIENTS_DIR);
        AtomicFiles.createDirectories(clientsDir);
        for (Path dir : new Path[] {root, clientsDir}) {
            for (Path leftover : AtomicFiles.removeLeftovers(dir)) {
                LOG.info("Removed {}, left over by a write that was interrupted (the file it was to replace is intact)",
                        leftover);
            }
        }
        Map<String, StoredClient> clients = loadClients(clientsDir);
        InstanceId serverInstanceId = loadOrCreateServerInstanceId(root, clients.size(), random, clock);
        LOG.info("Client registry {}: server instance id {}, {} client record(s)", root, serverInstanceId, clients.size());
        return new RegistryStore(root, clientsDir, serverInstanceId, clients);
    }

    private static InstanceId loadOrCreateServerInstanceId(Path root, int clientRecords, RandomGenerator random, Clock clock)
            throws IOException {
        Path file = root.resolve(SERVER_FILE);
        if (Files.exists(file)) {
            try {
                Properties properties = read(file);
                requireFormat(properties);
                return new InstanceId(parseLong(properties, "server.instance.id"));
            } catch (IOException | IllegalArgumentException e) {
                throw new IllegalStateException("stateDir: the server's instance id in " + file + " cannot be read ("
                        + e.getMessage() + "). Refusing to start with a new one: every client would be refused with "
                        + "instance_id_mismatch. Restore the file from a backup, or remove the directory " + root
                        + " to start with an empty registry.", e);
            }
        }
        if (clientRecords > 0) {
            throw new IllegalStateException("stateDir: " + file + " is missing but " + clientRecords
                    + " client record(s) exist in " + root.resolve(CLIENTS_DIR) + ". Refusing to start with a new server "
                    + "instance id: every remembered client would be refused with instance_id_mismatch. Restore "
                    + SERVER_FILE + " from a backup, or remove the directory " + root + " to start with an empty registry.");
        }
        InstanceId created = InstanceId.random(random);
        Properties properties = new Properties();
        properties.setProperty("format", FORMAT);
        properties.setProperty("server.instance.id", created.toString());
        properties.setProperty("created", clock.instant().toString());
        AtomicFiles.write(file, encode(properties, "Sink server instance id: never edit; losing it makes every client "
                + "fail with instance_id_mismatch"));
        LOG.info("Created server instance id {} in {}", created, file);
        return created;
    }

    private static Map<String, StoredClient> loadClients(Path clientsDir) throws IOException {
        Map<String, StoredClient> clients = new ConcurrentHashMap<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(clientsDir)) {
            for (Path file : stream) {
                String name = file.getFileName().toString();
                if (name.endsWith(UNREADABLE_SUFFIX)) {
                    LOG.debug("Skipping {}, a registry record set aside by forget", file);
                    continue;
                }
                String clientId = name.endsWith(CLIENT_SUFFIX) ? name.substring(0, name.length() - CLIENT_SUFFIX.length()) : "";
                if (!ClientIds.isValid(clientId) || !Files.isRegularFile(file)) {
                    LOG.warn("Ignoring {} in the client registry: not a file named <client-id>{}", file, CLIENT_SUFFIX);
                    continue;
                }
                StoredClient client;
                try {
                    client = decode(clientId, read(file));
                } catch (IOException | IllegalArgumentException e) {
                    LOG.error("The registry record {} of client {} cannot be read ({}); client {} is refused as "
                            + "quarantined until an operator forgets the record", file, clientId, e.getMessage(), clientId);
                    client = StoredClient.unreadable(clientId, e.getMessage());
                }
                if (client.isEmpty()) {
                    LOG.warn("Ignoring {}: it holds neither a client instance id nor a quarantine", file);
                    continue;
                }
                clients.put(clientId, client);
            }
        }
        return clients;
    }

    @Override
    public InstanceId serverInstanceId() {
        return serverInstanceId;
    }

    Path stateDir() {
        return stateDir;
    }

    @Override
    public Optional<StoredClient> get(String clientId) {
        return Optional.ofNullable(clients.get(clientId));
    }

    @Override
    public SortedSet<String> clientIds() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(clients.keySet()));
    }

    Path fileOf(String clientId) {
        return clientsDir.resolve(ClientIds.require(clientId) + CLIENT_SUFFIX);
    }

    /** Stores the record durably (a record with nothing in it removes the file), then in memory. */
    @Override
    public void put(StoredClient client) throws IOException {
        if (client.isUnreadable()) {
            throw new IllegalArgumentException("an unreadable record is never written");
        }
        if (client.isEmpty()) {
            remove(client.clientId());
            return;
        }
        AtomicFiles.write(fileOf(client.clientId()), encode(client));
        clients.put(client.clientId(), client);
    }

    /** Removes the client's record durably, then from memory. */
    void remove(String clientId) throws IOException {
        AtomicFiles.delete(fileOf(clientId));
        clients.remove(clientId);
    }

    /** Renames the client's file to {@code <client-id>.properties.unreadable} (replacing an older one), then forgets it. */
    @Override
    public String setAside(String clientId) throws IOException {
        Path file = fileOf(clientId);
        Path aside = file.resolveSibling(file.getFileName() + UNREADABLE_SUFFIX);
        if (Files.exists(file)) {
            AtomicFiles.rename(file, aside);
        }
        clients.remove(clientId);
        return aside.toString();
    }

    static byte[] encode(StoredClient client) {
        Properties properties = new Properties();
        properties.setProperty("format", FORMAT);
        properties.setProperty("client.id", client.clientId());
        client.instanceId().ifPresent(id -> properties.setProperty("client.instance.id", id.toString()));
        client.registeredAt().ifPresent(at -> properties.setProperty("client.instance.id.registered", at.toString()));
        client.quarantine().ifPresent(nack -> {
            properties.setProperty("quarantine.machine", Base64.getEncoder().encodeToString(nack.machineMessage()));
            properties.setProperty("quarantine.human", nack.humanMessage());
        });
        client.quarantinedAt().ifPresent(at -> properties.setProperty("quarantine.since", at.toString()));
        return encode(properties, "Sink client registry record, replaced atomically by io.sink.server-auth");
    }

    static StoredClient decode(String clientId, Properties properties) {
        requireFormat(properties);
        String storedId = properties.getProperty("client.id");
        if (!clientId.equals(storedId)) {
            throw new IllegalArgumentException("client.id is " + Printable.quoted(storedId) + ", expected \"" + clientId
                    + "\" from the file name");
        }
        Optional<InstanceId> instanceId = properties.containsKey("client.instance.id")
                ? Optional.of(new InstanceId(parseLong(properties, "client.instance.id"))) : Optional.empty();
        Optional<Instant> registeredAt = instant(properties, "client.instance.id.registered");
        Optional<Nack> quarantine = Optional.empty();
        String machine = properties.getProperty("quarantine.machine");
        String human = properties.getProperty("quarantine.human");
        if (machine != null || human != null) {
            if (machine == null || human == null) {
                throw new IllegalArgumentException("quarantine.machine and quarantine.human must both be present or both absent");
            }
            try {
                quarantine = Optional.of(new Nack(Base64.getDecoder().decode(machine), human));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("quarantine reason is invalid: " + e.getMessage(), e);
            }
        }
        Optional<Instant> quarantinedAt = instant(properties, "quarantine.since");
        return new StoredClient(clientId, instanceId, registeredAt, quarantine, quarantinedAt, Optional.empty());
    }

    private static void requireFormat(Properties properties) {
        String format = properties.getProperty("format");
        if (!FORMAT.equals(format)) {
            throw new IllegalArgumentException(format == null ? "the format property is missing"
                    : "unknown format " + Printable.quoted(format) + ", expected " + FORMAT);
        }
    }

    private static long parseLong(Properties properties, String key) {
        String value = properties.getProperty(key);
        if (value == null) {
            throw new IllegalArgumentException(key + " is missing");
        }
        try {
            long parsed = Long.parseLong(value.strip());
            if (parsed < 0 || parsed > Limits.MAX_INSTANCE_ID) {
                throw new IllegalArgumentException(key + " must be between 0 and " + Limits.MAX_INSTANCE_ID + ", got " + parsed);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " is not a number: " + Printable.quoted(value), e);
        }
    }

    private static Optional<Instant> instant(Properties properties, String key) {
        String value = properties.getProperty(key);
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(value.strip()));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(key + " is not an instant: " + Printable.quoted(value), e);
        }
    }

    private static Properties read(Path file) throws IOException {
        if (Files.size(file) > MAX_FILE_BYTES) {
            throw new IOException("larger than " + MAX_FILE_BYTES + " bytes");
        }
        Properties properties = new Properties();
        // ISO 8859-1 with \\u escapes, the way Properties.store(OutputStream) writes it.
        properties.load(new ByteArrayInputStream(Files.readAllBytes(file)));
        return properties;
    }

    private static byte[] encode(Properties properties, String comment) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            properties.store(out, comment);
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return out.toByteArray();
    }

    @Override
    public String toString() {
        return "files in " + stateDir;
    }
}
