package io.sink.api.text;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The arguments of one shell command, parsed from the text the operator typed. Commands declare
 * their parameters as {@code String}, so that the shell never converts (and never wraps a number
 * into an {@code int}) on their behalf, and parse them here: a number is checked against its range
 * before it becomes a {@code long}, and every refusal is an {@link IllegalArgumentException} whose
 * one-line message names the argument, echoes what was typed (escaped by {@link Printable}) and
 * ends with the command's usage.
 */
public final class CommandUsage {
    private static final Pattern WHOLE_NUMBER = Pattern.compile("[+-]?[0-9]+");

    private final String usage;

    /** @param usage e.g. {@code sensor:log <name> <temperature> <humidity>} */
    public CommandUsage(String usage) {
        this.usage = Objects.requireNonNull(usage, "usage");
    }

    /** The usage line, e.g. {@code sensor:log <name> <temperature> <humidity>}. */
    public String usage() {
        return usage;
    }

    /** A refusal: {@code problem; usage: <usage>}. */
    public IllegalArgumentException refuse(String problem) {
        return new IllegalArgumentException(problem + "; usage: " + usage);
    }

    /**
     * The refusal for a call with the wrong number of arguments, for a command's catch-all overload
     * (Gogo calls it when no other signature fits).
     */
    public IllegalArgumentException wrongArguments(Object... typed) {
        Object[] given = typed == null ? new Object[0] : typed;
        String shown = Arrays.stream(given).map(a -> Printable.text(String.valueOf(a), 64))
                .collect(Collectors.joining(" "));
        return refuse(given.length == 0 ? "no arguments given"
                : "wrong arguments (" + given.length + " given: " + shown + ")");
    }

    /**
     * {@code typed} stripped, refusing a missing or blank one.
     *
     * @param what the argument, e.g. {@code client id}
     */
    public String text(String what, String typed) {
        if (typed == null || typed.isBlank()) {
            throw refuse(what + " is missing");
        }
        return typed.strip();
    }

    /**
     * The whole number typed, refusing anything else and anything outside {@code [min, max]} by the
     * text typed (never by a wrapped value).
     *
     * @param what the argument, e.g. {@code temperature}
     * @param unit appended to the range in the message, e.g. {@code degrees}; may be empty
     */
    public long wholeNumber(String what, String typed, long min, long max, String unit) {
        String text = text(what, typed);
        String shown = Printable.text(text, 64);
        if (!WHOLE_NUMBER.matcher(text).matches()) {
            throw refuse(what + " " + shown + " is not a whole number");
        }
        BigInteger value = new BigInteger(text);
        if (value.compareTo(BigInteger.valueOf(min)) < 0 || value.compareTo(BigInteger.valueOf(max)) > 0) {
            throw refuse(what + " " + shown + " is out of range: it must be between " + min + " and " + max
                    + (unit == null || unit.isEmpty() ? "" : " " + unit));
        }
        return value.longValueExact();
    }

    /** As {@link #wholeNumber(String, String, long, long, String)} for an {@code int} range. */
    public int wholeNumber(String what, String typed, int min, int max, String unit) {
        return (int) wholeNumber(what, typed, (long) min, (long) max, unit);
    }
}
