package io.sink.reading.log.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records the lines written, with the thread that wrote each. */
final class RecordingLines implements LogLines {
    record Line(String level, String text, String thread) {
    }

    final List<Line> lines = new CopyOnWriteArrayList<>();
    volatile boolean debug = true;

    @Override
    public boolean isDebugEnabled() {
        return debug;
    }

    @Override
    public void debug(String line) {
        lines.add(new Line("DEBUG", line, Thread.currentThread().getName()));
    }

    @Override
    public void info(String line) {
        lines.add(new Line("INFO", line, Thread.currentThread().getName()));
    }

    @Override
    public void warn(String line) {
        lines.add(new Line("WARN", line, Thread.currentThread().getName()));
    }

    List<String> texts(String level) {
        return lines.stream().filter(l -> l.level().equals(level)).map(Line::text).toList();
    }
}
