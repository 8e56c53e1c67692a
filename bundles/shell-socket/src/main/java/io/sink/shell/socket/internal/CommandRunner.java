package io.sink.shell.socket.internal;

import java.io.OutputStream;

/** Runs one command line; {@link GogoRunner} in the framework, fakes in tests. */
@FunctionalInterface
interface CommandRunner {

    /**
     * Runs {@code command}, writing what it prints and its formatted result to {@code out}.
     *
     * @return {@link Outcome#ok()} or a failure naming what went wrong
     * @throws InterruptedException when interrupted (the server's command timeout)
     */
    Outcome run(String command, OutputStream out) throws InterruptedException;

    /** How a command ended: a {@link Wire} status code and a one-line message (empty for success). */
    record Outcome(int status, String message) {
        static Outcome ok() {
            return new Outcome(Wire.OK, "");
        }

        static Outcome failed(String message) {
            return new Outcome(Wire.FAILED, message);
        }
    }
}
