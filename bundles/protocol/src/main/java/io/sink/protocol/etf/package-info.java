/**
 * The example's sensor reading payload (section 12): the Erlang external term format of
 * {@code %{temperature: T, humidity: H}}, written exactly as Erlang/OTP 25 does so that the example
 * Elixir server can decode it.
 */
@Export
@Version("1.0.0")
package io.sink.protocol.etf;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
