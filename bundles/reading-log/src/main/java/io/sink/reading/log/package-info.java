/**
 * One-line descriptions of received events for logs and shell commands: sensor readings
 * (event type 1, schema 1) decoded, other events by their header and size.
 */
@Export
@Version("1.0.0")
package io.sink.reading.log;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
