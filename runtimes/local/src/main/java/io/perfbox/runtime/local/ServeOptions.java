package io.perfbox.runtime.local;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code perfbox serve}'s options as picocli parses them: one option per {@link LocalConfig.Setting}, typed (a
 * duration, a size in bytes, a boolean, else text), its value the flag's, else {@code PERFBOX_<NAME>}'s (a default
 * value provider), else the documented default. A value that is not of its type fails the parse with the setting's
 * own message; {@link LocalConfig} then only checks the values against each other and their ranges.
 */
public final class ServeOptions {
    private static final Set<String> DURATIONS = Set.of("idle-timeout", "tls-handshake-timeout", "header-timeout",
            "body-timeout", "build-timeout", "run-timeout", "trivy-timeout", "retention-interval");
    private static final Set<String> SIZES = Set.of("max-image-size", "memory", "data-size", "layer-size",
            "build-cache-size", "build-memory");

    private ServeOptions() {
    }

    private static boolean isBoolean(LocalConfig.Setting s) {
        return s.defaultValue().equals("true") || s.defaultValue().equals("false");
    }

    /**
     * Adds every setting's option to {@code spec} (and {@code --no-NAME} for the booleans), with {@code env}'s
     * {@code PERFBOX_*} as their defaults; {@code help} gives each option's description.
     */
    public static void addTo(CommandSpec spec, Map<String, String> env,
            Function<LocalConfig.Setting, String> help) {
        Map<String, LocalConfig.Setting> byOption = new HashMap<>();
        for (LocalConfig.Setting s : LocalConfig.SETTINGS) {
            byOption.put("--" + s.name(), s);
            boolean bool = isBoolean(s);
            OptionSpec.Builder option = OptionSpec.builder("--" + s.name()).description(help.apply(s))
                    .paramLabel(bool ? "true|false" : s.name().toUpperCase(Locale.ROOT).replace('-', '_'));
            if (bool) {
                option.type(Boolean.class).converters(raw -> typed(() -> LocalConfig.bool(s.name(), raw)))
                        .arity("0..1").fallbackValue("true");
            } else if (DURATIONS.contains(s.name())) {
                option.type(Duration.class).converters(raw -> typed(() -> LocalConfig.duration(s.name(), raw)));
            } else if (SIZES.contains(s.name())) {
                option.type(Long.class).converters(raw -> typed(() -> LocalConfig.bytes(s.name(), raw)));
            } else {
                option.type(String.class);
            }
            spec.addOption(option.build());
            if (bool) {
                spec.addOption(OptionSpec.builder("--no-" + s.name()).arity("0").type(boolean.class).hidden(true).build());
            }
        }
        spec.defaultValueProvider(arg -> defaultOf(arg, byOption, env));
    }

    /** A conversion's failure as picocli's, its message the setting's own. */
    private static <T> T typed(Supplier<T> conversion) {
        try {
            return conversion.get();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }

    private static String defaultOf(ArgSpec arg, Map<String, LocalConfig.Setting> byOption, Map<String, String> env) {
        if (!(arg instanceof OptionSpec o)) {
            return null;
        }
        LocalConfig.Setting s = byOption.get(o.longestName());
        if (s == null) {
            return null;
        }
        String fromEnv = env.get(s.envName());
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv.strip();
        }
        return s.defaultValue().isEmpty() ? null : s.defaultValue();
    }

    /** The values {@code spec} was parsed to, by setting name; a {@code --no-NAME} given after {@code --NAME} wins. */
    public static Values values(CommandSpec spec) {
        Map<String, Object> typed = new HashMap<>();
        Map<String, String> raw = new HashMap<>();
        List<String> args = spec.commandLine().getParseResult().originalArgs();
        for (LocalConfig.Setting s : LocalConfig.SETTINGS) {
            OptionSpec o = spec.findOption("--" + s.name());
            Object value = o.getValue();
            if (isBoolean(s) && negatedLast(args, s.name())) {
                value = Boolean.FALSE;
            }
            if (value != null) {
                typed.put(s.name(), value);
            }
            List<String> given = o.originalStringValues();
            String text;
            if (value instanceof String str) {
                text = str;
            } else if (!given.isEmpty()) {
                text = given.get(given.size() - 1);
            } else {
                text = defaultText(spec, o);
            }
            raw.put(s.name(), text);
        }
        return new Values(typed, raw);
    }

    private static String defaultText(CommandSpec spec, OptionSpec o) {
        try {
            String d = spec.defaultValueProvider() == null ? null : spec.defaultValueProvider().defaultValue(o);
            return d == null ? "" : d;
        } catch (Exception e) {
            return "";
        }
    }

    /** Whether {@code --no-NAME} is the last of {@code --NAME}, {@code --NAME=V} and {@code --no-NAME} given. */
    private static boolean negatedLast(List<String> args, String name) {
        boolean negated = false;
        for (String a : args) {
            if (a.equals("--no-" + name)) {
                negated = true;
            } else if (a.equals("--" + name) || a.startsWith("--" + name + "=")) {
                negated = false;
            }
        }
        return negated;
    }

    /** A picocli parse failure of serve's options as the message LocalConfig's checks give (no picocli wording). */
    static String messageOf(CommandLine.ParameterException e) {
        if (e.getCause() instanceof CommandLine.TypeConversionException t) {
            return t.getMessage();
        }
        if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String arg = u.getUnmatched().get(0);
            return arg.startsWith("--") ? "unknown option " + arg.split("=", 2)[0] + " (see perfbox serve --help)"
                    : "unexpected argument '" + arg + "'";
        }
        if (e instanceof CommandLine.MissingParameterException m && !m.getMissing().isEmpty()
                && m.getMissing().get(0) instanceof OptionSpec o) {
            return o.longestName() + " needs a value";
        }
        return e.getMessage();
    }

    /** The parsed values: typed (a Duration, a Long of bytes, a Boolean, a String), and as written. */
    public record Values(Map<String, Object> typed, Map<String, String> raw) {
        public Values {
            typed = Map.copyOf(typed);
            raw = Map.copyOf(raw);
        }

        public Duration duration(String name) {
            return (Duration) typed.get(name);
        }

        public long size(String name) {
            return (Long) typed.get(name);
        }

        public Optional<Long> optionalSize(String name) {
            return Optional.ofNullable((Long) typed.get(name));
        }

        public boolean bool(String name) {
            return (Boolean) typed.get(name);
        }

        /** The value as written ("" when the setting has none). */
        public String text(String name) {
            return raw.getOrDefault(name, "");
        }
    }
}
