/**
 * The example's Erlang-term payloads, in the Erlang external term format written exactly as
 * Erlang/OTP 25 does so that the example Elixir implementation can decode them: the sensor reading
 * {@code %{temperature: T, humidity: H}} (section 12) and, since 1.1, the sensor-configuration event
 * the server sends to a client ({@link io.sink.protocol.etf.SensorConfigCodec}).
 */
@Export
@Version("1.1.0")
package io.sink.protocol.etf;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
