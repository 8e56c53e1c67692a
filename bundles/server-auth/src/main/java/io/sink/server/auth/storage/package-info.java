/**
 * The client registry's storage: what it keeps of each client ({@link io.sink.server.auth.storage.StoredClient})
 * and the service that keeps it ({@link io.sink.server.auth.storage.RegistryStorage}), so that another
 * bundle can keep it elsewhere (PostgreSQL) than this bundle's files.
 */
@Export
@Version("1.0.0")
package io.sink.server.auth.storage;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
