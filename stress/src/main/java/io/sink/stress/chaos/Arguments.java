package io.sink.stress.chaos;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code --name value} pairs of the chaos mains; a bad or missing one ends the process with status 2. */
final class Arguments {
    private final Map<String, String> values;

    private Arguments(Map<String, String> values) {
        this.values = values;
    }

    static Arguments parse(String[] args, String... required) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                usage("expected '--name value' pairs, got '" + args[i] + "'"
                        + (i + 1 >= args.length ? " without a value" : ""));
            }
            values.put(args[i], args[i + 1]);
        }
        for (String name : List.of(required)) {
            if (!values.containsKey(name)) {
                usage(name + " is required");
            }
        }
        return new Arguments(values);
    }

    String text(String name, String otherwise) {
        return values.getOrDefault(name, otherwise);
    }

    Path path(String name) {
        return Path.of(values.get(name));
    }

    int integer(String name, int min, int max, int otherwise) {
        String value = values.get(name);
        if (value == null) {
            return otherwise;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n < min || n > max) {
                usage(name + " must be between " + min + " and " + max + ", got " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            usage(name + " must be an integer, got '" + value + "'");
            return otherwise;
        }
    }

    boolean flag(String name, boolean otherwise) {
        String value = values.get(name);
        if (value == null) {
            return otherwise;
        }
        return switch (value) {
            case "on", "true" -> true;
            case "off", "false" -> false;
            default -> {
                usage(name + " must be on or off, got '" + value + "'");
                yield otherwise;
            }
        };
    }

    private static void usage(String problem) {
        System.err.println("error: " + problem + " (see the class comment of ChaosServer or ChaosClient)");
        System.exit(2);
    }
}
