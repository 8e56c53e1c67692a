/**
 * Services of the server ("cloud") side: client authentication, the client registry (instance
 * ids, quarantine, application versions), the handler of received events, publishing and status.
 */
@Export
@Version("1.3.0")
package io.sink.api.server;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
