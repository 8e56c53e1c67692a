/**
 * The original example's sensors: readings of temperature and humidity logged as Sink events
 * (event type 1, schema version 1, key = the sensor name, the Erlang term payload of section 12 of
 * the protocol), ready to be delivered to the server by the poller.
 */
@Export
@Version("1.0.0")
package io.sink.sensor;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
