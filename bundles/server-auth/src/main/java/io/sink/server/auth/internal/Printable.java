package io.sink.server.auth.internal;

/**
 * Text from outside (certificate subjects, application versions sent by clients) made safe for a log
 * line: control characters would let a peer forge log lines, and unbounded text would flood the log.
 */
final class Printable {
    static final int MAX_LENGTH = 200;

    private Printable() {
    }

    static String of(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_LENGTH) + 3);
        int count = 0;
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            if (count++ == MAX_LENGTH) {
                out.append("...");
                break;
            }
            out.appendCodePoint(Character.isISOControl(c) || c == 0x2028 || c == 0x2029 ? '?' : c);
        }
        return out.toString();
    }
}
