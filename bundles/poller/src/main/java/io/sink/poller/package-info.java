/**
 * The client's delivery loop as a service: its status, the events the server refused (NACKed),
 * and resuming a stream that a NACK parked. For shells, consoles and monitoring.
 */
@Export
@Version("1.1.0")
package io.sink.poller;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
