/**
 * Text from and for people. {@link io.sink.api.text.Printable} escapes whatever a peer or a
 * user supplied (certificate subjects, application versions, client ids, keys, Erlang atom names,
 * NACK texts, typed commands) so that it can never forge a log line, move a terminal's cursor,
 * set its title or reorder the text around it. {@link io.sink.api.text.CommandUsage} parses what an
 * operator typed as a shell command's arguments: range-checked, never wrapped, echoed back escaped
 * in every refusal, which ends with the command's usage. {@link io.sink.api.text.RepeatedEvents}
 * keeps what a peer can repeat at will (failed handshakes, undecodable events) from flooding a log:
 * the first line of each kind in full, then a count per interval.
 */
@Export
@Version("1.1.0")
package io.sink.api.text;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
