package io.sink.server.auth.internal;

import java.nio.file.Path;

/**
 * The validated configuration of PID {@value RegistryComponent#PID}.
 *
 * @param stateDir      the registry's directory, absolute
 * @param versionPolicy the application versions accepted
 */
record RegistrySettings(Path stateDir, VersionPolicy versionPolicy) {

    /** @throws IllegalArgumentException naming the bad property */
    static RegistrySettings from(String stateDir, String minimumApplicationVersion) {
        return new RegistrySettings(AuthSettings.directory("stateDir", stateDir),
                VersionPolicy.minimum(minimumApplicationVersion));
    }
}
