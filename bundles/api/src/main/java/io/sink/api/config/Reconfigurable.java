package io.sink.api.config;

import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Something a component opens from its configuration (a database, a server) and re-opens when the
 * configuration changes while it runs, without the component being deactivated: call
 * {@link #modified} from the component's {@code @Modified} method.
 *
 * <ul>
 * <li>An invalid configuration ({@code parse} throws an {@link IllegalArgumentException}, e.g. an
 * {@link InvalidConfigurationException} naming the PID, the property, the value and why) is refused
 * with ONE error line, and what runs keeps running as it is.</li>
 * <li>An unchanged configuration (equal settings) changes nothing.</li>
 * <li>A valid change closes what runs and opens it with the new settings; if that fails, it is opened
 * with the previous settings again and an error line says why.</li>
 * </ul>
 *
 * @param <S> the validated settings (with {@code equals})
 * @param <R> what is opened with them
 */
public final class Reconfigurable<S, R> {
    private final String pid;
    private final String what;
    private final Function<Map<String, ?>, S> parse;
    private final Function<S, R> open;
    private final Consumer<R> close;
    private final Consumer<String> error;
    private final Consumer<String> info;
    private S settings;
    private volatile R current;

    /**
     * Parses {@code initial} and opens with it (at activation).
     *
     * @param what  what is opened, for messages, e.g. {@code the event log}
     * @param error where the error lines go (e.g. a logger's {@code error})
     * @param info  where the info lines go
     * @throws IllegalArgumentException when {@code initial} is invalid; a failure of {@code open}
     */
    public Reconfigurable(String pid, String what, Map<String, ?> initial, Function<Map<String, ?>, S> parse,
            Function<S, R> open, Consumer<R> close, Consumer<String> error, Consumer<String> info) {
        this.pid = Objects.requireNonNull(pid, "pid");
        this.what = Objects.requireNonNull(what, "what");
        this.parse = Objects.requireNonNull(parse, "parse");
        this.open = Objects.requireNonNull(open, "open");
        this.close = Objects.requireNonNull(close, "close");
        this.error = Objects.requireNonNull(error, "error");
        this.info = Objects.requireNonNull(info, "info");
        S first = parse.apply(initial);
        this.current = open.apply(first);
        this.settings = first;
    }

    /** What is open now. */
    public R current() {
        return current;
    }

    /** The settings of {@link #current()}. */
    public synchronized S settings() {
        return settings;
    }

    /** Applies a changed configuration, or refuses it in one line and keeps what runs. */
    public synchronized void modified(Map<String, ?> properties) {
        S next;
        try {
            next = parse.apply(properties);
        } catch (IllegalArgumentException e) {
            error.accept(e.getMessage() + "; " + what + " keeps running with its previous configuration");
            return;
        }
        if (next.equals(settings)) {
            info.accept(pid + ": configuration unchanged for " + what);
            return;
        }
        S previous = settings;
        close.accept(current);
        try {
            current = open.apply(next);
            settings = next;
            info.accept(pid + ": configuration applied, " + what + " reopened");
        } catch (RuntimeException e) {
            error.accept(pid + ": the new configuration cannot be applied to " + what + ": " + e.getMessage()
                    + "; it is reopened with its previous configuration");
            current = open.apply(previous);
        }
    }

    /** Closes what is open (at deactivation). */
    public synchronized void close() {
        close.accept(current);
    }
}
