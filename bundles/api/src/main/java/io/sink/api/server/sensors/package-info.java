/**
 * Sensors configured from the server: the server keeps, per client, a durable outgoing log of
 * sensor-configuration events (add, change, remove) delivered to the client over Sink itself with
 * the client's own guarantees (stored before sent, re-sent until ACKed, in order). The fleet
 * console and the server's Gogo commands both go through {@link SensorDirectory}.
 */
@Export
@Version("1.0.0")
package io.sink.api.server.sensors;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
