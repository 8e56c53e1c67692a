/** Implementation details of {@code io.sink.tls}: file writing and permission checks. */
package io.sink.tls.internal;
