/**
 * The Sink domain: immutable, validated values shared by every Sink bundle.
 *
 * <p>Numbers that travel as unsigned varints on the wire (event type id, schema version,
 * offset, timestamp) are held as non-negative {@code long}s: the Java implementation
 * refuses values above 2<sup>63</sup>-1 instead of wrapping them.
 */
@Export
@Version("1.0.0")
package io.sink.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
