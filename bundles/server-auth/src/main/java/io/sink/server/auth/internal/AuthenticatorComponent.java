package io.sink.server.auth.internal;

import io.sink.api.config.ConfigReader;
import io.sink.api.server.ClientAuthenticator;
import io.sink.api.server.SinkServer;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
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
 * {@link ClientAuthenticator} over a watched allow-list directory of client certificates. Runs with
 * its defaults when PID {@value #PID} is not configured.
 */
@Component(service = {ClientAuthenticator.class, AllowedClients.class}, configurationPid = AuthenticatorComponent.PID,
        immediate = true)
@Designate(ocd = AuthenticatorComponent.Config.class)
public final class AuthenticatorComponent implements ClientAuthenticator, AllowedClients {
    public static final String PID = "io.sink.server.auth";
    private static final Logger LOG = LoggerFactory.getLogger(AuthenticatorComponent.class);

    @ObjectClassDefinition(id = PID, name = "Sink server authentication",
            description = "Admits a Sink client when the TLS leaf certificate it presents equals the certificate "
                    + "in <allowListDir>/<client-id>.pem. The directory is watched: adding a file admits its client "
                    + "at once; removing or changing it locks the client out and closes its live connection.")
    public @interface Config {
        @AttributeDefinition(name = "Allow-list directory",
                description = "Directory of client certificates, one PEM file <client-id>.pem per client (client id: "
                        + "1 to 128 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit). Relative "
                        + "paths are resolved against the working directory. Created empty when missing.")
        String allowListDir() default "certs/clients";

        @AttributeDefinition(name = "Rescan interval (seconds)", min = "1", max = "3600",
                description = "The directory is read again at least this often, in addition to change events, "
                        + "because change events can be missed. 1 to 3600.")
        int rescanSeconds() default 5;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile SinkServer server;

    /** Replaced by {@link #modified} when a new valid configuration is applied. */
    private volatile Authenticator authenticator;
    private AuthSettings settings;

    @Activate
    public AuthenticatorComponent(Config config) throws IOException {
        this.settings = AuthSettings.from(config.allowListDir(), config.rescanSeconds());
        this.authenticator = Authenticator.start(settings, true, ConnectionCloser.of(() -> server));
    }

    /**
     * A changed configuration, read from the raw properties so that an unparseable value is refused in
     * our words: an invalid one is refused with ONE error line naming the PID, the property, the value
     * and why, and the allow-list keeps being served as it is (without a modified method SCR would
     * deactivate the component, and the server would lose its authenticator); a valid one starts a new
     * watcher on the new settings, then stops the old one.
     */
    @Modified
    synchronized void modified(Map<String, Object> properties) {
        AuthSettings next;
        Authenticator replacement;
        try {
            ConfigReader config = new ConfigReader(PID, properties);
            next = AuthSettings.from(config.nonBlankText("allowListDir", "certs/clients"),
                    config.intValue("rescanSeconds", 5, AuthSettings.MIN_RESCAN_SECONDS, AuthSettings.MAX_RESCAN_SECONDS));
            if (next.equals(settings)) {
                LOG.info("{}: configuration unchanged for the allow-list {}", PID, next.allowListDir());
                return;
            }
            replacement = Authenticator.start(next, true, ConnectionCloser.of(() -> server));
        } catch (IllegalArgumentException | IOException e) {
            LOG.error(AuthSettings.refusal(PID, e, "the allow-list " + settings.allowListDir()));
            return;
        }
        Authenticator previous = authenticator;
        authenticator = replacement;
        settings = next;
        previous.close();
        LOG.info("{}: configuration applied, allow-list {}", PID, next.allowListDir());
    }

    @Deactivate
    synchronized void deactivate() {
        authenticator.close();
    }

    @Override
    public Optional<String> authenticate(X509Certificate certificate) {
        return authenticator.authenticate(certificate);
    }

    @Override
    public boolean isAdmitted(String clientId) {
        return authenticator.isAdmitted(clientId);
    }

    @Override
    public SortedSet<String> allowedClients() {
        return authenticator.allowedClients();
    }

    @Override
    public String fingerprint(String clientId) {
        return authenticator.fingerprint(clientId);
    }
}
