package io.sink.console.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class PasswordHashTest {
    static final int FAST = PasswordHash.MIN_ITERATIONS;

    @Test
    void matchesOnlyItsPassword() {
        PasswordHash hash = PasswordHash.create("s3cret".toCharArray(), FAST, new SecureRandom());
        assertThat(hash.matches("s3cret".toCharArray())).isTrue();
        assertThat(hash.matches("s3cret ".toCharArray())).isFalse();
        assertThat(hash.matches("".toCharArray())).isFalse();
    }

    @Test
    void storedFormRoundTripsAndCarriesSaltAndIterations() {
        PasswordHash hash = PasswordHash.create("pw".toCharArray(), FAST, new SecureRandom());
        String stored = hash.toString();
        assertThat(stored).matches("pbkdf2-sha256\\$10000\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}");
        PasswordHash parsed = PasswordHash.parse(stored);
        assertThat(parsed).isEqualTo(hash);
        assertThat(parsed.matches("pw".toCharArray())).isTrue();
        assertThat(parsed.iterations()).isEqualTo(FAST);
    }

    @Test
    void saltsDifferSoEqualPasswordsHashDifferently() {
        SecureRandom random = new SecureRandom();
        assertThat(PasswordHash.create("pw".toCharArray(), FAST, random).toString())
                .isNotEqualTo(PasswordHash.create("pw".toCharArray(), FAST, random).toString());
    }

    @Test
    void knownVectorFromAnotherImplementation() {
        // Python: hashlib.pbkdf2_hmac('sha256', b'password', b'saltsalt', 10000, 32), Base64 without padding
        PasswordHash stored = PasswordHash.parse("pbkdf2-sha256$10000$c2FsdHNhbHQ$8AsC4H/147lFlEEMCnL1JMziEIWaSGvXLB7jM4MIJaM");
        assertThat(stored.matches("password".toCharArray())).isTrue();
        assertThat(stored.matches("Password".toCharArray())).isFalse();
        // a salt too short to be one
        assertThatThrownBy(() -> PasswordHash.parse("pbkdf2-sha256$10000$c2FsdA$8AsC4H/147lFlEEMCnL1JMziEIWaSGvXLB7jM4MIJaM"))
                .hasMessageContaining("salt of 4 bytes");
    }

    @Test
    void refusesMalformedFormsWithoutEchoingThem() {
        assertThatThrownBy(() -> PasswordHash.parse("hunter2")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("hunter2").hasMessageContaining("pbkdf2-sha256$<iterations>$<salt>$<hash>");
        assertThatThrownBy(() -> PasswordHash.parse("pbkdf2-sha256$12$AAAAAAAAAAAAAAAAAAAAAA$"
                + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")).hasMessageContaining("12 iterations");
        assertThatThrownBy(() -> PasswordHash.parse("pbkdf2-sha256$10000$!!$AAAA")).hasMessageContaining("Base64");
        assertThatThrownBy(() -> PasswordHash.parse("")).hasMessageContaining("empty");
    }
}
