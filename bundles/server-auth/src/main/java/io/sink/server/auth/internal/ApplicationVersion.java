package io.sink.server.auth.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An application version as a client presents it in CONNECTION_REQUEST, ordered like Semantic
 * Versioning 2.0.0 but lenient about the number of components:
 *
 * <ul>
 * <li>Syntax: {@code N(.N)*[-PRE][+BUILD]}; each {@code N} is one or more ASCII digits (any size,
 *     leading zeros allowed); {@code PRE} is dot-separated identifiers of {@code [0-9A-Za-z-]};
 *     {@code BUILD} is dot-separated identifiers of {@code [0-9A-Za-z-]}. Nothing else: no
 *     leading {@code v}, no spaces, no letters in the numeric part ({@code 1.x}, {@code 1.2a}).
 * <li>Numeric parts compare as numbers, component by component; missing components are 0, so
 *     {@code 1.0 = 1.0.0} and {@code 1.10 > 1.9}.
 * <li>A pre-release is lower than the same version without one: {@code 1.0.0-rc.1 < 1.0.0}. Two
 *     pre-releases compare identifier by identifier: numeric identifiers as numbers, below
 *     alphanumeric ones, which compare as ASCII text; a longer list wins when all shared ones are
 *     equal ({@code alpha < alpha.1 < beta < rc.1 < rc.2 < rc.10}).
 * <li>Build metadata is ignored: {@code 1.0.0+abc = 1.0.0}.
 * </ul>
 */
final class ApplicationVersion implements Comparable<ApplicationVersion> {
    private static final Pattern SYNTAX = Pattern.compile(
            "[0-9]+(\\.[0-9]+)*(-[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?(\\+[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?");
    /** Longer version texts are refused unparsed: nobody needs them, and they are sent by clients. */
    static final int MAX_LENGTH = 256;

    private final String text;
    /** Numeric components without leading zeros, trailing zero components dropped. */
    private final List<String> numbers;
    /** Pre-release identifiers; empty for a release. */
    private final List<String> preRelease;

    private ApplicationVersion(String text, List<String> numbers, List<String> preRelease) {
        this.text = text;
        this.numbers = numbers;
        this.preRelease = preRelease;
    }

    /** The version, or empty when {@code text} does not follow the syntax above. */
    static Optional<ApplicationVersion> parse(String text) {
        if (text == null || text.length() > MAX_LENGTH || !SYNTAX.matcher(text).matches()) {
            return Optional.empty();
        }
        int plus = text.indexOf('+');
        String withoutBuild = plus < 0 ? text : text.substring(0, plus);
        int dash = withoutBuild.indexOf('-');
        String core = dash < 0 ? withoutBuild : withoutBuild.substring(0, dash);
        List<String> numbers = new ArrayList<>();
        for (String part : core.split("\\.")) {
            numbers.add(stripLeadingZeros(part));
        }
        while (!numbers.isEmpty() && numbers.get(numbers.size() - 1).equals("0")) {
            numbers.remove(numbers.size() - 1);
        }
        List<String> preRelease = new ArrayList<>();
        if (dash >= 0) {
            for (String identifier : withoutBuild.substring(dash + 1).split("\\.")) {
                preRelease.add(isNumeric(identifier) ? stripLeadingZeros(identifier) : identifier);
            }
        }
        return Optional.of(new ApplicationVersion(text, List.copyOf(numbers), List.copyOf(preRelease)));
    }

    private static String stripLeadingZeros(String digits) {
        int i = 0;
        while (i < digits.length() - 1 && digits.charAt(i) == '0') {
            i++;
        }
        return digits.substring(i);
    }

    private static boolean isNumeric(String identifier) {
        return identifier.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /** Compares two numbers written as digits without leading zeros. */
    private static int compareNumbers(String a, String b) {
        return a.length() != b.length() ? Integer.compare(a.length(), b.length()) : a.compareTo(b);
    }

    @Override
    public int compareTo(ApplicationVersion other) {
        for (int i = 0; i < Math.max(numbers.size(), other.numbers.size()); i++) {
            String a = i < numbers.size() ? numbers.get(i) : "0";
            String b = i < other.numbers.size() ? other.numbers.get(i) : "0";
            int c = compareNumbers(a, b);
            if (c != 0) {
                return c;
            }
        }
        if (preRelease.isEmpty() || other.preRelease.isEmpty()) {
            // a release ranks above its pre-releases
            return Boolean.compare(preRelease.isEmpty(), other.preRelease.isEmpty());
        }
        for (int i = 0; i < Math.min(preRelease.size(), other.preRelease.size()); i++) {
            String a = preRelease.get(i);
            String b = other.preRelease.get(i);
            boolean aNumeric = isNumeric(a);
            boolean bNumeric = isNumeric(b);
            int c;
            if (aNumeric && bNumeric) {
                c = compareNumbers(a, b);
            } else if (aNumeric != bNumeric) {
                c = aNumeric ? -1 : 1;
            } else {
                c = a.compareTo(b);
            }
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(preRelease.size(), other.preRelease.size());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ApplicationVersion other && compareTo(other) == 0;
    }

    @Override
    public int hashCode() {
        return 31 * numbers.hashCode() + preRelease.hashCode();
    }

    /** The text it was parsed from. */
    @Override
    public String toString() {
        return text;
    }
}
