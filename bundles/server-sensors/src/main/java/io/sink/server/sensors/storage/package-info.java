/**
 * Where the sensor directory keeps its sensors and its outgoing log per client
 * ({@link io.sink.server.sensors.storage.SensorStorage}), so that another bundle can keep them
 * elsewhere (PostgreSQL, shared by several server nodes) than this bundle's SQLite file.
 */
@Export
@Version("1.0.0")
package io.sink.server.sensors.storage;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
