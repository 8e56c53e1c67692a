/**
 * Text for logs and terminals: {@link io.sink.api.text.Printable} escapes whatever a peer or a
 * user supplied (certificate subjects, application versions, client ids, keys, Erlang atom names,
 * NACK texts, typed commands) so that it can never forge a log line, move a terminal's cursor,
 * set its title or reorder the text around it.
 */
@Export
@Version("1.0.0")
package io.sink.api.text;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
