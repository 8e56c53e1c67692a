package io.sink.server.sensors.internal;

import io.sink.api.server.sensors.SensorDirectory;
import io.sink.api.server.sensors.SensorException;
import io.sink.api.server.sensors.ServerSensor;
import io.sink.api.text.CommandUsage;
import io.sink.api.text.Printable;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * What the {@code sink:sensor-*} commands do and print: thin adapters over the
 * {@link SensorDirectory}. Arguments are parsed with {@link CommandUsage} (a wrong or missing one is
 * refused with what was typed and the usage); every name, id and reason printed is escaped
 * ({@link Printable}).
 */
final class SensorCommands {
    static final CommandUsage ADD = new CommandUsage("sink:sensor-add <client-id> <name> [period-ms "
            + SensorOutbox.MIN_PERIOD_MILLIS + ".." + SensorOutbox.MAX_PERIOD_MILLIS + ", default 10000] [kind,"
            + " default simulated]");
    static final CommandUsage RENAME = new CommandUsage("sink:sensor-rename <client-id> <sensor-uuid> <name>");
    static final CommandUsage PERIOD = new CommandUsage("sink:sensor-period <client-id> <sensor-uuid> <period-ms>");
    static final CommandUsage REMOVE = new CommandUsage("sink:sensor-remove <client-id> <sensor-uuid>");
    static final CommandUsage RESUME = new CommandUsage("sink:sensor-resume <client-id>");
    static final CommandUsage SENSORS = new CommandUsage("sink:sensors <client-id>");
    /** The usage of each command, by function name. */
    static final Map<String, CommandUsage> USAGES = Map.of("sensor-add", ADD, "sensor-rename", RENAME,
            "sensor-period", PERIOD, "sensor-remove", REMOVE, "sensor-resume", RESUME, "sensors", SENSORS);
    static final long DEFAULT_PERIOD_MILLIS = 10_000;
    private static final Pattern UUID_TEXT =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private final Supplier<SensorDirectory> directory;

    SensorCommands(Supplier<SensorDirectory> directory) {
        this.directory = directory;
    }

    /** Runs the command {@code function} with the arguments typed; returns what it prints. */
    String run(String function, List<?> arguments) {
        CommandUsage usage = USAGES.get(function);
        if (usage == null) {
            throw new IllegalArgumentException("unknown command sink:" + Printable.text(function, 64));
        }
        List<String> args = arguments == null ? List.of() : arguments.stream().map(String::valueOf).toList();
        try {
            return switch (function) {
                case "sensor-add" -> {
                    arity(usage, args, 2, 4);
                    String client = usage.text("client id", args.get(0));
                    String name = usage.text("name", args.get(1));
                    long period = args.size() > 2 ? usage.wholeNumber("period", args.get(2),
                            SensorOutbox.MIN_PERIOD_MILLIS, SensorOutbox.MAX_PERIOD_MILLIS, "ms")
                            : DEFAULT_PERIOD_MILLIS;
                    String kind = args.size() > 3 ? usage.text("kind", args.get(3)) : "simulated";
                    yield "added " + line(directory().add(client, name, kind, period));
                }
                case "sensor-rename" -> {
                    arity(usage, args, 3, 3);
                    yield "renamed " + line(directory().rename(usage.text("client id", args.get(0)),
                            uuid(usage, args.get(1)), usage.text("name", args.get(2))));
                }
                case "sensor-period" -> {
                    arity(usage, args, 3, 3);
                    yield "changed " + line(directory().changePeriod(usage.text("client id", args.get(0)),
                            uuid(usage, args.get(1)), usage.wholeNumber("period", args.get(2),
                                    SensorOutbox.MIN_PERIOD_MILLIS, SensorOutbox.MAX_PERIOD_MILLIS, "ms")));
                }
                case "sensor-remove" -> {
                    arity(usage, args, 2, 2);
                    yield "removing " + line(directory().remove(usage.text("client id", args.get(0)),
                            uuid(usage, args.get(1))));
                }
                case "sensor-resume" -> {
                    arity(usage, args, 1, 1);
                    String client = usage.text("client id", args.get(0));
                    int dropped = directory().resume(client);
                    yield dropped == 0 ? "the sensor stream of " + Printable.quoted(client) + " was not parked"
                            : "dropped " + dropped + " refused event" + (dropped == 1 ? "" : "s") + "; the sensor"
                                    + " stream of " + Printable.quoted(client) + " goes on";
                }
                default -> {
                    arity(usage, args, 1, 1);
                    String client = usage.text("client id", args.get(0));
                    List<ServerSensor> sensors = directory().sensors(client);
                    if (sensors.isEmpty()) {
                        yield "client " + Printable.quoted(client) + " has no server-configured sensors";
                    }
                    StringBuilder out = new StringBuilder();
                    for (ServerSensor s : sensors) {
                        out.append(line(s)).append('\n');
                    }
                    yield out.toString().stripTrailing();
                }
            };
        } catch (SensorException e) {
            throw usage.refuse(Printable.inline(e.getMessage()));
        }
    }

    /** One sensor on one line: uuid, quoted name, kind, period, delivery (and the NACK reason). */
    static String line(ServerSensor s) {
        return s.id() + " " + Printable.quoted(s.name(), 256) + " " + s.kind() + " " + s.periodMillis() + " ms "
                + (s.removed() ? "removed " : "") + s.delivery()
                + s.nackReason().map(r -> " " + Printable.quoted(r, 512)).orElse("");
    }

    private SensorDirectory directory() {
        SensorDirectory d = directory.get();
        if (d == null) {
            throw new IllegalStateException("the sensor directory is not running (see the log of"
                    + " io.sink.server.sensors)");
        }
        return d;
    }

    private static void arity(CommandUsage usage, List<String> args, int min, int max) {
        if (args.size() < min || args.size() > max) {
            throw usage.wrongArguments(args.toArray());
        }
    }

    private static UUID uuid(CommandUsage usage, String typed) {
        String text = usage.text("sensor uuid", typed);
        if (!UUID_TEXT.matcher(text).matches()) {
            throw usage.refuse("sensor uuid " + Printable.text(text, 64) + " is not a uuid (see sink:sensors)");
        }
        return UUID.fromString(text);
    }
}
