/**
 * The Sink domain: immutable, validated values shared by every Sink bundle.
 *
 * <p>Numbers that travel as unsigned varints on the wire are held in {@code long}s. The event
 * type id, schema version and offset take the whole unsigned 64-bit range (values above
 * 2<sup>63</sup>-1 are the negative {@code long}s with the same bits: compare with
 * {@link java.lang.Long#compareUnsigned}, print with {@link java.lang.Long#toUnsignedString(long)});
 * the timestamp (Unix time) is refused above 2<sup>63</sup>-1 rather than wrapped.
 */
@Export
@Version("1.1.0")
package io.sink.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
