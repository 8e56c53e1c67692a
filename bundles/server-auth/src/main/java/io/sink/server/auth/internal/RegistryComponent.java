package io.sink.server.auth.internal;

import io.sink.api.InstanceId;
import io.sink.api.config.ConfigReader;
import io.sink.api.server.ClientRecord;
import io.sink.api.server.ClientRegistry;
import io.sink.api.server.SinkServer;
import io.sink.server.auth.ClientAdministration;
import io.sink.server.auth.storage.RegistryStorage;
import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ClientRegistry} and {@link ClientAdministration} over a {@link RegistryStorage}: by default
 * the directory of small properties files of {@link FileRegistryStorageComponent}, or the storage
 * chosen by {@code storage.target} (e.g. PostgreSQL). Runs with its defaults when PID {@value #PID}
 * is not configured.
 */
@Component(service = {ClientRegistry.class, ClientAdministration.class}, configurationPid = RegistryComponent.PID,
        immediate = true)
@Designate(ocd = RegistryComponent.Config.class)
public final class RegistryComponent implements ClientRegistry, ClientAdministration {
    public static final String PID = "io.sink.server.registry";
    /** Default of {@code stateDir}. */
    public static final String DEFAULT_STATE_DIR = "data/server/registry";
    /** The storage used unless {@code storage.target} says otherwise: the files in {@code stateDir}. */
    public static final String DEFAULT_STORAGE_TARGET = "(" + RegistryStorage.STORAGE_TYPE + "="
            + FileRegistryStorageComponent.STORAGE_TYPE + ")";
    private static final Logger LOG = LoggerFactory.getLogger(RegistryComponent.class);

    @ObjectClassDefinition(id = PID, name = "Sink client registry",
            description = "What the Sink server remembers of its clients: its own instance id, each client's "
                    + "instance id, quarantines; and which application versions it accepts.")
    public @interface Config {
        @AttributeDefinition(name = "State directory",
                description = "Directory of the registry's files (server.properties and clients/<client-id>.properties), "
                        + "created when missing. Relative paths are resolved against the working directory. Losing it "
                        + "gives the server a new instance id: every client is then refused with instance_id_mismatch.")
        String stateDir() default DEFAULT_STATE_DIR;

        @AttributeDefinition(name = "Minimum application version", required = false,
                description = "Clients presenting an older application version are refused (unsupported_application_"
                        + "version). Dot-separated numbers compared numerically (1.10 > 1.9, 1.0 = 1.0.0); a pre-release "
                        + "(1.0.0-rc.1) is older than its release; +build is ignored; a version that does not parse is "
                        + "refused. Empty accepts every version.")
        String minimumApplicationVersion() default "";

        @AttributeDefinition(name = "Storage", description = "Filter choosing where the registry is kept:"
                + " (sink.registry.storage=file) for the files in the state directory, or"
                + " (sink.registry.storage=postgresql) for the PostgreSQL database of PID"
                + " io.sink.server.store.postgresql, which several server nodes can share.")
        String storage_target() default DEFAULT_STORAGE_TARGET;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile SinkServer server;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile AllowedClients allowList;

    private final Registry registry;

    @Activate
    public RegistryComponent(Config config,
            @Reference(name = "storage", target = DEFAULT_STORAGE_TARGET) RegistryStorage storage) {
        RegistrySettings settings = RegistrySettings.from(config.stateDir(), config.minimumApplicationVersion());
        this.registry = new Registry(storage, settings.versionPolicy(), () -> allowList,
                ConnectionCloser.of(() -> server), Clock.systemUTC());
        LOG.info("Client registry in {} accepts {}", storage, settings.versionPolicy());
    }

    /**
     * A changed configuration, read from the raw properties so that an unparseable value is refused in
     * our words. This component applies {@code minimumApplicationVersion}: an invalid one is refused with
     * ONE error line naming the PID, the property, the value and why, and the previous policy stays
     * (without a modified method SCR would deactivate the registry, and the server would lose it). The
     * storage applies {@code stateDir} itself ({@link FileRegistryStorageComponent#modified}); a changed
     * {@code storage.target} is SCR's: it rebinds the registry to the storage it now chooses.
     */
    @Modified
    synchronized void modified(Map<String, Object> properties) {
        ConfigReader config = new ConfigReader(PID, properties);
        VersionPolicy next;
        try {
            String minimum = config.text("minimumApplicationVersion", "");
            try {
                next = VersionPolicy.minimum(minimum);
            } catch (IllegalArgumentException e) {
                throw config.invalid("minimumApplicationVersion", minimum, VersionPolicy.NOT_A_VERSION);
            }
        } catch (IllegalArgumentException e) {
            LOG.error(AuthSettings.refusal(PID, e, "the client registry (accepting " + registry.versionPolicy() + ")"));
            return;
        }
        if (next.equals(registry.versionPolicy())) {
            LOG.info("{}: configuration unchanged for the client registry", PID);
            return;
        }
        registry.versionPolicy(next);
        LOG.info("{}: configuration applied, the client registry accepts {}", PID, next);
    }

    /** The application versions accepted now. */
    VersionPolicy versionPolicy() {
        return registry.versionPolicy();
    }

    /** On the files in {@code stateDir}, without a framework (tests, tools). */
    public RegistryComponent(Config config) throws IOException {
        this(config, FileRegistryStorageComponent.open(config));
    }

    @Override
    public ClientRecord record(String clientId) {
        return registry.record(clientId);
    }

    @Override
    public void registerClientInstanceId(String clientId, InstanceId clientInstanceId) throws IOException {
        registry.registerClientInstanceId(clientId, clientInstanceId);
    }

    @Override
    public boolean acceptsApplicationVersion(String clientId, String applicationVersion) {
        return registry.acceptsApplicationVersion(clientId, applicationVersion);
    }

    @Override
    public String quarantine(String clientId, String machineReason, String humanReason) throws IOException {
        return registry.quarantine(clientId, machineReason, humanReason);
    }

    @Override
    public String unquarantine(String clientId) throws IOException {
        return registry.unquarantine(clientId);
    }

    @Override
    public String forget(String clientId) throws IOException {
        return registry.forget(clientId);
    }

    @Override
    public Optional<ClientRecord> remembered(String clientId) {
        return registry.remembered(clientId);
    }

    @Override
    public String describe(String clientId) {
        return registry.describe(clientId);
    }

    @Override
    public SortedSet<String> allowedClients() {
        return registry.allowedClients();
    }

    @Override
    public SortedSet<String> rememberedClients() {
        return registry.rememberedClients();
    }

    @Override
    public InstanceId serverInstanceId() {
        return registry.serverInstanceId();
    }
}
