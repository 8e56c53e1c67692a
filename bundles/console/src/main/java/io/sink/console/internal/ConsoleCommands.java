package io.sink.console.internal;

import io.sink.api.text.CommandUsage;
import java.security.SecureRandom;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;

/**
 * {@code console:hash <password>}: prints the value of {@code passwordHash} (PID
 * {@value ConsoleSettings#PID}) for a password. The password is on the command line (and in the
 * shell's history); {@code bin/sink console-hash} reads it without echo instead.
 */
@Component(service = ConsoleCommands.class, property = {
    "osgi.command.scope=console",
    "osgi.command.function=hash"})
@Descriptor("Sink fleet console: password hashes")
public final class ConsoleCommands {
    static final CommandUsage HASH = new CommandUsage("console:hash <password>");

    private final SecureRandom random = new SecureRandom();

    @Descriptor("Prints the PBKDF2 hash of a password, for passwordHash in etc/io.sink.console.cfg")
    public String hash(@Descriptor("the operators' password") String password) {
        return PasswordHash.create(HASH.text("password", password).toCharArray(), PasswordHash.DEFAULT_ITERATIONS,
                random).toString();
    }

    @Descriptor("(wrong or missing arguments: shows the usage of console:hash)")
    public String hash(@Descriptor("the arguments given") String... arguments) {
        // never echo what was typed: it holds a password
        throw HASH.refuse("give exactly one password (" + (arguments == null ? 0 : arguments.length) + " arguments given)");
    }
}
