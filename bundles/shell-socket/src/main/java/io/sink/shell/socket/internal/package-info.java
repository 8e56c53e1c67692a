/**
 * The shell socket: a DS component that runs Gogo command lines received over an owner-only Unix
 * domain socket, and the command-line client that sends them. Nothing here is exported.
 */
package io.sink.shell.socket.internal;
