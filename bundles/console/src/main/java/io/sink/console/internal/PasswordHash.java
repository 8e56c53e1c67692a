package io.sink.console.internal;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * An operator password as the console stores it: PBKDF2 with HMAC-SHA256, a random salt and an
 * iteration count, written {@code pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>} (standard
 * Base64 without padding). Only the hash is configured; the password itself is never stored.
 *
 * <p>{@link #main} prints the hash of a password read from standard input (one line), for
 * {@code bin/sink console-hash} and {@code ./build demo}.
 */
public final class PasswordHash {
    static final String SCHEME = "pbkdf2-sha256";
    static final String ALGORITHM = "PBKDF2WithHmacSHA256";
    /** Iterations of new hashes (OWASP's 2023 advice for PBKDF2-HMAC-SHA256 is 600 000). */
    static final int DEFAULT_ITERATIONS = 600_000;
    static final int MIN_ITERATIONS = 10_000;
    static final int MAX_ITERATIONS = 10_000_000;
    static final int SALT_BYTES = 16;
    static final int HASH_BYTES = 32;

    private final int iterations;
    private final byte[] salt;
    private final byte[] hash;

    private PasswordHash(int iterations, byte[] salt, byte[] hash) {
        this.iterations = iterations;
        this.salt = salt;
        this.hash = hash;
    }

    /** A new hash of {@code password} with a fresh random salt. */
    public static PasswordHash create(char[] password, int iterations, SecureRandom random) {
        Objects.requireNonNull(password, "password");
        if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("iterations must be between " + MIN_ITERATIONS + " and " + MAX_ITERATIONS);
        }
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        return new PasswordHash(iterations, salt, derive(password, salt, iterations, HASH_BYTES));
    }

    /**
     * Reads the stored form.
     *
     * @throws IllegalArgumentException saying what is wrong (never echoing the text, which may be a
     *                                  password pasted by mistake)
     */
    public static PasswordHash parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("is empty");
        }
        String[] parts = text.strip().split("\\$", -1);
        if (parts.length != 4 || !parts[0].equals(SCHEME)) {
            throw new IllegalArgumentException("is not of the form " + SCHEME + "$<iterations>$<salt>$<hash>"
                    + " (make one with 'bin/sink console-hash')");
        }
        int iterations;
        try {
            iterations = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("has iterations that are not a whole number");
        }
        if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("has " + iterations + " iterations; between " + MIN_ITERATIONS + " and "
                    + MAX_ITERATIONS + " are accepted");
        }
        byte[] salt;
        byte[] hash;
        try {
            salt = Base64.getDecoder().decode(parts[2]);
            hash = Base64.getDecoder().decode(parts[3]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("has a salt or hash that is not Base64");
        }
        if (salt.length < 8) {
            throw new IllegalArgumentException("has a salt of " + salt.length + " bytes; at least 8 are needed");
        }
        if (hash.length < 16 || hash.length > 64) {
            throw new IllegalArgumentException("has a hash of " + hash.length + " bytes; 16 to 64 are accepted");
        }
        return new PasswordHash(iterations, salt, hash);
    }

    /** Whether {@code password} is the one hashed; compares in constant time. */
    public boolean matches(char[] password) {
        byte[] candidate = derive(password, salt, iterations, hash.length);
        return MessageDigest.isEqual(candidate, hash);
    }

    int iterations() {
        return iterations;
    }

    /** The stored form. */
    @Override
    public String toString() {
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return SCHEME + "$" + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PasswordHash p && p.iterations == iterations && Arrays.equals(p.salt, salt)
                && Arrays.equals(p.hash, hash);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(hash);
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations, int bytes) {
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, bytes * 8);
        try {
            return SecretKeyFactory.getInstance(ALGORITHM).generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " is not available: " + e, e);
        } finally {
            spec.clearPassword();
        }
    }

    /**
     * Prints the stored form of a password: read without echo from the terminal when there is one,
     * else the first line of standard input.
     */
    public static void main(String[] args) throws IOException {
        char[] password;
        Console console = System.console();
        if (console != null && args.length == 0) {
            password = console.readPassword("console password: ");
            char[] again = console.readPassword("again: ");
            if (password == null || again == null || !Arrays.equals(password, again)) {
                System.err.println("the passwords differ; nothing printed");
                System.exit(2);
                return;
            }
        } else {
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            password = line == null ? new char[0] : line.toCharArray();
        }
        if (password == null || password.length == 0) {
            System.err.println("an empty password is refused; nothing printed");
            System.exit(2);
            return;
        }
        System.out.println(create(password, DEFAULT_ITERATIONS, new SecureRandom()));
    }
}
