package io.sink.protocol.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** The shared golden vectors, read in place from {@code ../shared/protocol/vectors.txt}. */
public final class Vectors {
    public static final String PROPERTY = "sink.vectors";
    private static final String RELATIVE = "shared/protocol/vectors.txt";

    private Vectors() {
    }

    /** One line of the file. */
    public record Vector(int line, String name, String kind, Map<String, Object> json, byte[] bytes, Object extra,
            String hex) {
        @Override
        public String toString() {
            return name;
        }

        @SuppressWarnings("unchecked")
        public Map<String, Object> extraObject() {
            return extra instanceof Map ? (Map<String, Object>) extra : Map.of();
        }
    }

    /**
     * The vectors file: the {@value #PROPERTY} system property (set by the parent's surefire
     * configuration) when it names an existing file, else found by walking up from the working
     * directory to a folder holding {@code ../shared/protocol/vectors.txt}. Fails loudly otherwise.
     */
    public static Path file() {
        String configured = System.getProperty(PROPERTY);
        if (configured != null && !configured.isBlank()) {
            Path path = Paths.get(configured).normalize();
            if (Files.isRegularFile(path)) {
                return path;
            }
        }
        Path dir = Paths.get("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            Path candidate = d.resolveSibling(RELATIVE);
            if (d.getParent() != null && Files.isRegularFile(candidate)) {
                return candidate.normalize();
            }
            Path inside = d.resolve(RELATIVE);
            if (Files.isRegularFile(inside)) {
                return inside.normalize();
            }
        }
        throw new IllegalStateException("protocol vectors not found: system property " + PROPERTY + " is "
                + (configured == null ? "not set" : "'" + configured + "' (no such file)") + ", and no "
                + "../shared/protocol/vectors.txt above " + dir);
    }

    public static List<String> lines() {
        try {
            return Files.readAllLines(file(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Lines that are vectors: neither comments nor blank. */
    public static long vectorLineCount() {
        return lines().stream().filter(l -> !l.startsWith("#") && !l.isBlank()).count();
    }

    public static List<Vector> load() {
        List<String> lines = lines();
        List<Vector> vectors = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            String[] columns = line.split("\t", -1);
            if (columns.length != 5) {
                throw new IllegalStateException("vectors line " + (i + 1) + " has " + columns.length
                        + " tab-separated columns, expected 5: " + line);
            }
            vectors.add(new Vector(i + 1, columns[0], columns[1], Json.parseObject(columns[2]),
                    HexFormat.of().parseHex(columns[3]), Json.parse(columns[4]), columns[3]));
        }
        return vectors;
    }
}
