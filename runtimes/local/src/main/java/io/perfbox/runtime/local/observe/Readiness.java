package io.perfbox.runtime.local.observe;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Whether the server can take jobs now: each dependency (the store, the engine, the scanner) asked by a check of its
 * own, each answer kept for {@link #MAX_AGE} so that a flood of {@code GET /readyz} costs one check per dependency
 * and interval, whoever sends it. What it answers is a name and up or down per dependency: no version, path or error
 * text (those go to the log).
 */
public final class Readiness {
    private static final Logger LOG = Logger.getLogger(Readiness.class.getName());
    /** How long a check's answer stands. */
    public static final Duration MAX_AGE = Duration.ofSeconds(2);

    /** A dependency's check: true when it is up; false or an exception when it is down. */
    @FunctionalInterface
    public interface Probe {
        boolean up() throws Exception;
    }

    /** One named dependency and its probe. */
    public record Check(String name, Probe probe) {
    }

    /** Each dependency, in the order given, and whether it is up. */
    public record Result(Map<String, Boolean> checks) {
        public Result {
            checks = Collections.unmodifiableMap(new LinkedHashMap<>(checks));
        }

        public boolean ready() {
            return !checks.containsValue(false);
        }

        /** The dependencies that are down, in order. */
        public List<String> down() {
            return checks.entrySet().stream().filter(e -> !e.getValue()).map(Map.Entry::getKey).toList();
        }
    }

    private final Map<String, Sampled<Boolean>> checks = new LinkedHashMap<>();

    public Readiness(List<Check> checks) {
        this(checks, MAX_AGE);
    }

    Readiness(List<Check> checks, Duration maxAge) {
        for (Check c : checks) {
            this.checks.put(c.name(), new Sampled<>(() -> run(c), maxAge));
        }
    }

    private static boolean run(Check c) {
        try {
            boolean up = c.probe().up();
            if (!up) {
                LOG.warning("readiness: " + c.name() + " is down");
            }
            return up;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            LOG.log(Level.WARNING, "readiness: " + c.name() + " is down: " + e.getMessage());
            return false;
        }
    }

    public Result now() {
        Map<String, Boolean> out = new LinkedHashMap<>();
        checks.forEach((name, sampled) -> out.put(name, sampled.get()));
        return new Result(out);
    }
}
