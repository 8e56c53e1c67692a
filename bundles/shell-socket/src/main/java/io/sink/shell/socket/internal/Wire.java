package io.sink.shell.socket.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The exchange on the shell socket, one command per connection.
 *
 * <pre>
 * client -&gt; server:  the command line, UTF-8, at most {@value #MAX_REQUEST_BYTES} bytes, then end of
 *                     stream (the client shuts its output down)
 * server -&gt; client:  the command's output, UTF-8 (ends with a newline when not empty), then one line
 *                     "status: &lt;code&gt;[ &lt;message&gt;]\n", then end of stream
 * </pre>
 *
 * The status line is the last line of the answer: whatever the output contains, the client takes
 * the line after the last-but-one newline. Codes: {@link #OK}, {@link #FAILED}, {@link #REFUSED},
 * {@link #TIMED_OUT}. Shared by the server and {@link ExecClient}, so it uses nothing but the JDK.
 */
public final class Wire {
    /** The command ran; its output (and formatted result) precede the status line. */
    public static final int OK = 0;
    /** The command failed: not found, a syntax error, or an exception (the message says which). */
    public static final int FAILED = 1;
    /** The request was refused before running: too long, not UTF-8, wrong user, too many commands. */
    public static final int REFUSED = 2;
    /** The command did not finish within the server's command timeout; it was interrupted. */
    public static final int TIMED_OUT = 3;

    /** Longest command line accepted, in bytes. */
    public static final int MAX_REQUEST_BYTES = 64 * 1024;
    /** Longest output sent back, in bytes; more is cut, with a note. */
    public static final int MAX_OUTPUT_BYTES = 16 * 1024 * 1024;
    /** Longest status message, in characters. */
    static final int MAX_MESSAGE_CHARS = 2000;

    static final String STATUS_PREFIX = "status: ";
    private static final Pattern STATUS_LINE = Pattern.compile("status: (\\d{1,3})(?: (.*))?");

    private Wire() {
    }

    /**
     * The address of {@code socket}: the absolute path, or the path relative to the working directory
     * when the absolute one is too long for a socket address.
     */
    static UnixDomainSocketAddress address(Path socket) throws SocketException {
        Path absolute = socket.toAbsolutePath().normalize();
        if (absolute.toString().getBytes(UTF_8).length <= MAX_PATH_BYTES) {
            return UnixDomainSocketAddress.of(absolute);
        }
        Path workingDirectory = Path.of("").toAbsolutePath();
        if (absolute.startsWith(workingDirectory)) {
            Path relative = workingDirectory.relativize(absolute);
            if (relative.toString().getBytes(UTF_8).length <= MAX_PATH_BYTES) {
                return UnixDomainSocketAddress.of(relative);
            }
        }
        throw new SocketException("the socket path " + absolute + " is too long for a Unix domain socket (at most "
                + MAX_PATH_BYTES + " bytes): install Sink in a shorter path");
    }

    /** sun_path is 108 bytes on Linux and 104 on macOS, including the terminating NUL. */
    static final int MAX_PATH_BYTES = 103;

    /** The status line for {@code code}, with {@code message} flattened to one line; ends with a newline. */
    static byte[] statusLine(int code, String message) {
        String line = STATUS_PREFIX + code;
        if (message != null && !message.isBlank()) {
            String flat = message.strip().replaceAll("\\s*[\\r\\n]+\\s*", " | ");
            if (flat.length() > MAX_MESSAGE_CHARS) {
                flat = flat.substring(0, MAX_MESSAGE_CHARS) + "...";
            }
            line += " " + flat;
        }
        return (line + "\n").getBytes(UTF_8);
    }

    /**
     * Splits a complete answer into output and status.
     *
     * @throws IllegalArgumentException if the answer does not end with a status line
     */
    static Answer parse(byte[] answer) {
        int end = answer.length;
        if (end == 0) {
            throw new IllegalArgumentException("the answer is empty (the instance closed the connection)");
        }
        if (answer[end - 1] != '\n') {
            throw new IllegalArgumentException("the answer was cut off before its status line");
        }
        int start = end - 1;
        while (start > 0 && answer[start - 1] != '\n') {
            start--;
        }
        String line = new String(answer, start, end - 1 - start, UTF_8);
        Matcher m = STATUS_LINE.matcher(line);
        if (!m.matches()) {
            throw new IllegalArgumentException("the answer does not end with a status line: \""
                    + (line.length() > 80 ? line.substring(0, 80) + "..." : line) + "\"");
        }
        return new Answer(Arrays.copyOf(answer, start), Integer.parseInt(m.group(1)),
                m.group(2) == null ? "" : m.group(2));
    }

    /** A parsed answer: the output bytes, the status code and its message (empty when none). */
    record Answer(byte[] output, int status, String message) {
    }
}
