package io.sink.api.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class PrintableTest {

    @Test
    void plainValuesStayBare() {
        assertThat(Printable.text("kitchen")).isEqualTo("kitchen");
        assertThat(Printable.text("CN=example-client")).isEqualTo("\"CN=example-client\"");
        assertThat(Printable.text("1.2.3-rc1+küche")).isEqualTo("1.2.3-rc1+küche");
        assertThat(Printable.text("living room")).isEqualTo("\"living room\"");
        assertThat(Printable.text("")).isEqualTo("\"\"");
        assertThat(Printable.quoted("kitchen")).isEqualTo("\"kitchen\"");
    }

    @Test
    void aForgedLogLineStaysOnItsLine() {
        String cn = "evil\n2026-12-02 | INFO | FORGED LINE\u001b[2J\r";
        assertThat(Printable.text(cn))
                .isEqualTo("\"evil\\n2026-12-02 | INFO | FORGED LINE\\e[2J\\r\"")
                .doesNotContain("\n", "\r", "\u001b");
    }

    @Test
    void c1BidiAndSeparatorsAreEscaped() {
        assertThat(Printable.text("a\u0085b\u009bc")).isEqualTo("\"a\\u{85}b\\u{9B}c\"");
        assertThat(Printable.text("x\u2028y\u2029z")).isEqualTo("\"x\\u{2028}y\\u{2029}z\"");
        assertThat(Printable.text("\u202Eexe.txt\u202C")).isEqualTo("\"\\u{202E}exe.txt\\u{202C}\"");
        assertThat(Printable.text("\u200E\u200F\u2066\u2069\u200B\uFEFF\u00AD")).isEqualTo(
                "\"\\u{200E}\\u{200F}\\u{2066}\\u{2069}\\u{200B}\\u{FEFF}\\u{AD}\"");
        assertThat(Printable.text("\u007f\u0000\t")).isEqualTo("\"\\u{7F}\\u{0}\\t\"");
        assertThat(Printable.text("a\u00A0b")).isEqualTo("\"a\\u{A0}b\"");
        assertThat(Printable.text("\uD800x")).as("an unpaired surrogate").isEqualTo("\"\\u{D800}x\"");
        assertThat(Printable.text("a\\b\"c")).isEqualTo("\"a\\\\b\\\"c\"");
    }

    @Test
    void sentencesAreEscapedButNotQuoted() {
        assertThat(Printable.inline("refused: \"bad\" version\n2026 | INFO | x\u001b]0;t\u0007"))
                .isEqualTo("refused: \"bad\" version\\n2026 | INFO | x\\e]0;t\\u{7}");
        assertThat(Printable.inline("already \\n escaped")).isEqualTo("already \\n escaped");
        assertThat(Printable.inline("x".repeat(2000))).isEqualTo("x".repeat(1024) + "…(+976 bytes)");
    }

    @Property
    void inlineOutputHasNoControlSeparatorOrBidiCharacter(@ForAll("anyText") String text) {
        String out = Printable.inline(text, 30);
        out.codePoints().forEach(cp -> assertThat(cp == '\\' || !Printable.isEscaped(cp))
                .as("U+%04X in %s", cp, out).isTrue());
    }

    @Test
    void anOscTitleSequenceIsEscaped() {
        assertThat(Printable.text("1.0\u001b]0;pwned\u0007\u001bc")).isEqualTo("\"1.0\\e]0;pwned\\u{7}\\ec\"");
    }

    @Test
    void bytesThatAreNotUtf8AreShownOneByOne() {
        assertThat(Printable.bytes(new byte[] {'o', 'k', (byte) 0xff, 0})).isEqualTo("\"ok\\xFF\\u{0}\"");
        assertThat(Printable.bytes("küche".getBytes(StandardCharsets.UTF_8))).isEqualTo("küche");
        // overlong '/', an encoded surrogate, a truncated sequence
        assertThat(Printable.bytes(new byte[] {(byte) 0xC0, (byte) 0xAF})).isEqualTo("\"\\xC0\\xAF\"");
        assertThat(Printable.bytes(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}))
                .isEqualTo("\"\\xED\\xA0\\x80\"");
        assertThat(Printable.bytes(new byte[] {'a', (byte) 0xE2, (byte) 0x82})).isEqualTo("\"a\\xE2\\x82\"");
        assertThat(Printable.quotedBytes("k".getBytes(StandardCharsets.UTF_8))).isEqualTo("\"k\"");
    }

    @Test
    void longValuesAreCutWithTheCountOfWhatIsLeftOut() {
        String long300 = "a".repeat(300);
        assertThat(Printable.text(long300)).isEqualTo("\"" + "a".repeat(256) + "\"…(+44 bytes)");
        assertThat(Printable.text("ééé", 5)).as("cut at a character boundary").isEqualTo("\"éé\"…(+2 bytes)");
        assertThat(Printable.bytes(new byte[1000], 4)).isEqualTo("\"\\u{0}\\u{0}\\u{0}\\u{0}\"…(+996 bytes)");
        assertThat(Printable.text("abc", 3)).isEqualTo("abc");
    }

    @Property
    void noOutputCharacterIsAControlSeparatorOrBidiCharacter(@ForAll("anyText") String text,
            @ForAll @IntRange(min = 0, max = 64) int max) {
        String out = Printable.text(text, max);
        out.codePoints().forEach(cp -> assertThat(cp == '\\' || !Printable.isEscaped(cp))
                .as("U+%04X in %s", cp, out).isTrue());
        assertThat(out).doesNotContain("\n", "\r", "\u2028", "\u2029", "\u0085", "\u001b", "\u202E");
    }

    @Property
    void quotedOutputReadsBackToTheInput(@ForAll("anyText") String text) {
        String out = Printable.text(text, Integer.MAX_VALUE);
        assertThat(unescape(out)).isEqualTo(text);
        assertThat(unescape(Printable.quoted(text, Integer.MAX_VALUE))).isEqualTo(text);
    }

    @Property
    void bytesReadBackToTheInput(@ForAll byte[] bytes) {
        String out = Printable.bytes(bytes, Integer.MAX_VALUE);
        assertThat(unescapeBytes(out)).isEqualTo(bytes);
    }

    @Property
    void aCutValueShowsAPrefixAndTheRest(@ForAll("anyText") String text, @ForAll @IntRange(max = 40) int max) {
        String out = Printable.text(text, max);
        int total = text.getBytes(StandardCharsets.UTF_8).length;
        if (total <= max || text.codePoints().anyMatch(c -> c >= 0xD800 && c <= 0xDFFF)) {
            return;
        }
        int cut = out.lastIndexOf("…(+");
        assertThat(cut).isPositive();
        String shown = unescape(out.substring(0, cut));
        assertThat(text).startsWith(shown);
        int shownBytes = shown.getBytes(StandardCharsets.UTF_8).length;
        assertThat(shownBytes).isLessThanOrEqualTo(max);
        assertThat(out.substring(cut)).isEqualTo("…(+" + (total - shownBytes) + " bytes)");
    }

    @Provide
    Arbitrary<String> anyText() {
        Arbitrary<Character> nasty = Arbitraries.of('\n', '\r', '\t', '\u001b', '\u0085', '\u009b', '\u2028',
                '\u2029', '\u202E', '\u2066', '\u200F', '"', '\\', ' ', '=', '\u0000', '\u007f', 'é', '\uD83D');
        return Arbitraries.oneOf(Arbitraries.strings().all().ofMaxLength(40),
                Arbitraries.strings().withChars('a', 'z').withCharRange(' ', '~').ofMaxLength(40),
                Arbitraries.oneOf(nasty, Arbitraries.chars().all()).list().ofMaxSize(30)
                        .map(cs -> cs.stream().map(String::valueOf).reduce("", String::concat)));
    }

    /** The reading rule documented on {@link Printable}: bare as is, quoted with its escapes undone. */
    static String unescape(String out) {
        if (!out.startsWith("\"")) {
            assertThat(out).doesNotContain("\\", "\"", " ", "=");
            return out;
        }
        assertThat(out).endsWith("\"");
        StringBuilder s = new StringBuilder();
        for (int i = 1; i < out.length() - 1; i++) {
            char c = out.charAt(i);
            assertThat(c).as("a raw quote inside %s", out).isNotEqualTo('"');
            if (c != '\\') {
                s.append(c);
                continue;
            }
            char e = out.charAt(++i);
            switch (e) {
                case 'n' -> s.append('\n');
                case 'r' -> s.append('\r');
                case 't' -> s.append('\t');
                case 'e' -> s.append('\u001b');
                case '\\', '"' -> s.append(e);
                case 'u' -> {
                    int close = out.indexOf('}', i);
                    s.appendCodePoint(Integer.parseInt(out.substring(i + 2, close), 16));
                    i = close;
                }
                default -> throw new AssertionError("unknown escape \\" + e + " in " + out);
            }
        }
        return s.toString();
    }

    private static byte[] unescapeBytes(String out) {
        if (!out.startsWith("\"")) {
            return out.getBytes(StandardCharsets.UTF_8);
        }
        // \xNN stands for one raw byte; the rest is text
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        String body = out.substring(1, out.length() - 1);
        int from = 0;
        int at;
        while ((at = nextRawByte(body, from)) >= 0) {
            b.writeBytes(unescape("\"" + body.substring(from, at) + "\"").getBytes(StandardCharsets.UTF_8));
            b.write(Integer.parseInt(body.substring(at + 2, at + 4), 16));
            from = at + 4;
        }
        b.writeBytes(unescape("\"" + body.substring(from) + "\"").getBytes(StandardCharsets.UTF_8));
        return b.toByteArray();
    }

    private static int nextRawByte(String body, int from) {
        for (int i = from; i < body.length() - 1; i++) {
            if (body.charAt(i) == '\\') {
                if (body.charAt(i + 1) == 'x') {
                    return i;
                }
                i++;
            }
        }
        return -1;
    }

    @Test
    void theTestsOwnReaderKnowsEveryEscape() {
        assertThat(unescape("\"a\\u{1F600}\\e\"")).isEqualTo("a\uD83D\uDE00\u001b");
        assertThat(Arrays.equals(unescapeBytes("\"\\xFFa\""), new byte[] {(byte) 0xff, 'a'})).isTrue();
    }
}
