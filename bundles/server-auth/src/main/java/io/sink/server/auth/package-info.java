/**
 * Operator services of the Sink server's authentication and client-registry bundle: quarantine,
 * unquarantine and forgetting of clients, and what the server remembers of them.
 */
@Export
@Version("1.0.0")
package io.sink.server.auth;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
