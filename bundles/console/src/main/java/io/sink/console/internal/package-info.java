/** The fleet console: servlet, JSON endpoints, sessions and password hashes. Not exported. */
package io.sink.console.internal;
