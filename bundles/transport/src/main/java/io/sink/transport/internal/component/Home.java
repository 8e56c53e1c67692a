package io.sink.transport.internal.component;

import io.sink.tls.TlsConfig;
import java.nio.file.Path;
import org.osgi.framework.BundleContext;

/** Resolves configured relative paths against the instance's home folder. */
public final class Home {
    /** Framework property naming the instance's home folder; relative paths resolve against it. */
    static final String HOME_PROPERTY = "sink.home";

    private Home() {
    }

    public static Path of(BundleContext context) {
        String home = context == null ? null : context.getProperty(HOME_PROPERTY);
        return Path.of(home == null || home.isBlank() ? "." : home).toAbsolutePath().normalize();
    }

    public static TlsConfig tls(BundleContext context, String pid, String certificate, String privateKey, String trusted) {
        return TlsConfig.of(certificate, privateKey, trusted, pid + " certificate", pid + " privateKey",
                pid + " trustedCertificates").resolveAgainst(of(context));
    }
}
