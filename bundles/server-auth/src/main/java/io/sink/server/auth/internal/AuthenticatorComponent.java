package io.sink.server.auth.internal;

import io.sink.api.server.ClientAuthenticator;
import io.sink.api.server.SinkServer;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.SortedSet;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * {@link ClientAuthenticator} over a watched allow-list directory of client certificates. Runs with
 * its defaults when PID {@value #PID} is not configured.
 */
@Component(service = {ClientAuthenticator.class, AllowedClients.class}, configurationPid = AuthenticatorComponent.PID,
        immediate = true)
@Designate(ocd = AuthenticatorComponent.Config.class)
public final class AuthenticatorComponent implements ClientAuthenticator, AllowedClients {
    public static final String PID = "io.sink.server.auth";

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

    private final Authenticator authenticator;

    @Activate
    public AuthenticatorComponent(Config config) throws IOException {
        this.authenticator = Authenticator.start(AuthSettings.from(config.allowListDir(), config.rescanSeconds()), true,
                ConnectionCloser.of(() -> server));
    }

    @Deactivate
    void deactivate() {
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
