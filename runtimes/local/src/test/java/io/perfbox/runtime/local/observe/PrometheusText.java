package io.perfbox.runtime.local.observe;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prometheus' text exposition format (0.0.4) read as a scraper reads it, strictly: {@code # HELP} and {@code # TYPE}
 * lines, and samples {@code name{label="value",...} number}; any other line is an error. For the tests of what
 * {@code GET /metrics} serves.
 */
public final class PrometheusText {
    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s+(\\S+)(\\s+-?\\d+)?");
    private static final Pattern LABEL = Pattern.compile("\\s*([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"\\s*(,|$)");

    /** One sample line. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    /** A metric family: its type and help, from its comment lines. */
    public record Family(String name, String type, String help) {
    }

    private final Map<String, Family> families = new LinkedHashMap<>();
    private final List<Sample> samples = new ArrayList<>();

    private PrometheusText() {
    }

    public static PrometheusText parse(String text) {
        PrometheusText t = new PrometheusText();
        Map<String, String> help = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith("# HELP ")) {
                String[] p = line.substring(7).split(" ", 2);
                help.put(p[0], p.length > 1 ? p[1] : "");
            } else if (line.startsWith("# TYPE ")) {
                String[] p = line.substring(7).split(" ");
                if (p.length != 2 || !p[1].matches("counter|gauge|histogram|summary|untyped")) {
                    throw new IllegalArgumentException("bad TYPE line: " + line);
                }
                if (t.families.containsKey(p[0])) {
                    throw new IllegalArgumentException("TYPE given twice for " + p[0]);
                }
                t.families.put(p[0], new Family(p[0], p[1], help.get(p[0])));
            } else if (line.startsWith("#")) {
                continue;
            } else {
                Matcher m = SAMPLE.matcher(line);
                if (!m.matches()) {
                    throw new IllegalArgumentException("not a sample line: " + line);
                }
                Map<String, String> labels = new LinkedHashMap<>();
                if (m.group(3) != null && !m.group(3).isEmpty()) {
                    Matcher l = LABEL.matcher(m.group(3));
                    int at = 0;
                    while (at < m.group(3).length()) {
                        if (!l.find(at) || l.start() != at) {
                            throw new IllegalArgumentException("bad labels in: " + line);
                        }
                        if (labels.put(l.group(1), unescape(l.group(2))) != null) {
                            throw new IllegalArgumentException("label given twice in: " + line);
                        }
                        at = l.end();
                    }
                }
                t.samples.add(new Sample(m.group(1), labels, number(m.group(4))));
            }
        }
        return t;
    }

    private static double number(String s) {
        return switch (s) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(s);
        };
    }

    private static String unescape(String s) {
        return s.replace("\\n", "\n").replace("\\\"", "\"").replace("\\\\", "\\");
    }

    public Map<String, Family> families() {
        return families;
    }

    public Optional<String> type(String family) {
        return Optional.ofNullable(families.get(family)).map(Family::type);
    }

    public List<Sample> samples() {
        return samples;
    }

    /** The samples named {@code name}. */
    public List<Sample> samples(String name) {
        return samples.stream().filter(s -> s.name().equals(name)).toList();
    }

    /** The one sample named {@code name} whose labels include {@code labels} (pairs: name, value, ...). */
    public Optional<Double> value(String name, String... labels) {
        List<Sample> found = samples(name).stream().filter(s -> {
            for (int i = 0; i < labels.length; i += 2) {
                if (!labels[i + 1].equals(s.labels().get(labels[i]))) {
                    return false;
                }
            }
            return true;
        }).toList();
        if (found.size() > 1) {
            throw new IllegalArgumentException(found.size() + " samples match " + name + " " + List.of(labels));
        }
        return found.stream().findFirst().map(Sample::value);
    }
}
