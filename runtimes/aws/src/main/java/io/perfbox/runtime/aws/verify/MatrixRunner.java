package io.perfbox.runtime.aws.verify;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.core.domain.JobStatus;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Runs the matrix on a deployed API and holds each job's end to its expectation. Every scenario but the burst is
 * submitted at once, then the burst alone, so that the jobs in flight counted during the burst are its own.
 */
public final class MatrixRunner {
    /** The finished statuses: core's one list. */
    private static final Set<String> ENDED = JobStatus.TERMINAL.stream()
            .map(Enum::name).collect(Collectors.toUnmodifiableSet());
    private static final Set<String> IN_FLIGHT = Set.of("BUILDING", "SCANNING", "RUNNING");

    /** Pauses between looks at the jobs (a test's fake returns at once). */
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    /**
     * How one job ended (or where it was when the run gave up on it).
     *
     * @param id          the job id ("" when the submit was refused)
     * @param status      its last status, or "REFUSED"
     * @param failureCode its failure's code, or null
     * @param message     its failure's message (or the refusal), or null
     * @param performance its performance, or null
     * @param metrics     its metrics
     */
    public record JobEnd(String id, String status, String failureCode, String message, Double performance,
                         Map<String, Double> metrics) {
        static JobEnd of(JsonNode job) {
            JsonNode failure = job.path("failure");
            JsonNode perf = job.path("performance");
            Map<String, Double> metrics = new LinkedHashMap<>();
            job.path("metrics").properties().forEach(e -> {
                if (e.getValue().isNumber()) {
                    metrics.put(e.getKey(), e.getValue().asDouble());
                } else if (e.getValue().isTextual()) {
                    try {
                        metrics.put(e.getKey(), Double.parseDouble(e.getValue().asText()));
                    } catch (NumberFormatException notANumber) {
                        metrics.put(e.getKey(), Double.NaN);
                    }
                }
            });
            return new JobEnd(job.path("id").asText(""), job.path("status").asText("?"),
                    failure.isObject() ? failure.path("code").asText(null) : null,
                    failure.isObject() ? failure.path("message").asText(null) : null,
                    perf.isNumber() ? perf.asDouble() : null, metrics);
        }

        /** As the report lists it. */
        public String summary() {
            StringBuilder s = VerifyReport.outcome(status, failureCode, performance, metrics);
            if (message != null) {
                s.append(": ").append(message.length() > 300 ? message.substring(0, 300) + "…" : message);
            }
            return s.toString();
        }
    }

    /**
     * A scenario's verdict.
     *
     * @param scenario    the scenario
     * @param jobs        its jobs' ends, in submission order
     * @param differences what differs from the expectation (empty: as expected)
     * @param took        from its first submit to its last job's end
     * @param maxInFlight the most of its jobs seen BUILDING, SCANNING or RUNNING at one look
     */
    public record Result(VerifyMatrix.Scenario scenario, List<JobEnd> jobs, List<String> differences, Duration took,
                         int maxInFlight) {
        public boolean asExpected() {
            return differences.isEmpty();
        }

        /** What the jobs ended as, in one line. */
        public String got() {
            if (scenario.kind() == VerifyMatrix.Kind.BURST) {
                long succeeded = jobs.stream().filter(j -> j.status().equals("SUCCEEDED")).count();
                return succeeded + " of " + jobs.size() + " SUCCEEDED, at most " + maxInFlight + " in flight";
            }
            JobEnd job = jobs.get(0);
            StringBuilder s = new StringBuilder(job.status());
            if (job.failureCode() != null) {
                s.append(" / ").append(job.failureCode());
            }
            if (job.performance() != null) {
                s.append(", perf ").append(VerifyReport.number(job.performance()));
            }
            s.append(VerifyReport.metrics(job.metrics()));
            return s.toString();
        }
    }

    private final JobsApi api;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Duration poll;
    private final Duration timeout;

    public MatrixRunner(JobsApi api, Clock clock, Sleeper sleeper, Duration poll, Duration timeout) {
        this.api = api;
        this.clock = clock;
        this.sleeper = sleeper;
        this.poll = poll;
        this.timeout = timeout;
    }

    /** Runs every scenario, the burst last and alone; the results in the matrix's order. */
    public List<Result> run(List<VerifyMatrix.Scenario> scenarios) throws InterruptedException {
        List<VerifyMatrix.Scenario> together = scenarios.stream().filter(s -> s.kind() != VerifyMatrix.Kind.BURST).toList();
        List<VerifyMatrix.Scenario> alone = scenarios.stream().filter(s -> s.kind() == VerifyMatrix.Kind.BURST).toList();
        Map<VerifyMatrix.Scenario, Result> results = new LinkedHashMap<>();
        results.putAll(runTogether(together));
        for (VerifyMatrix.Scenario s : alone) {
            results.putAll(runTogether(List.of(s)));
        }
        return scenarios.stream().map(results::get).toList();
    }

    /** One scenario's jobs while they run. */
    private static final class Tracked {
        final VerifyMatrix.Scenario scenario;
        final List<String> ids = new ArrayList<>();
        final List<JobEnd> ends = new ArrayList<>();
        final Instant started;
        Instant ended;
        boolean cancelSent;
        int maxInFlight;

        Tracked(VerifyMatrix.Scenario scenario, Instant started) {
            this.scenario = scenario;
            this.started = started;
        }
    }

    private Map<VerifyMatrix.Scenario, Result> runTogether(List<VerifyMatrix.Scenario> scenarios)
            throws InterruptedException {
        List<Tracked> tracked = new ArrayList<>();
        for (VerifyMatrix.Scenario s : scenarios) {
            Tracked t = new Tracked(s, clock.instant());
            for (String dockerfile : s.dockerfiles()) {
                try {
                    JsonNode accepted = api.submit(dockerfile);
                    t.ids.add(accepted.path("id").asText());
                    t.ends.add(JobEnd.of(accepted));
                } catch (IOException e) {
                    t.ids.add("");
                    t.ends.add(new JobEnd("", "REFUSED", null, String.valueOf(e.getMessage()), null, Map.of()));
                }
            }
            tracked.add(t);
        }
        Instant deadline = clock.instant().plus(timeout);
        while (tracked.stream().anyMatch(t -> t.ended == null)) {
            for (Tracked t : tracked) {
                if (t.ended == null) {
                    look(t);
                }
            }
            if (tracked.stream().allMatch(t -> t.ended != null)) {
                break;
            }
            if (!clock.instant().isBefore(deadline)) {
                for (Tracked t : tracked) {
                    if (t.ended == null) {
                        t.ended = clock.instant();
                    }
                }
                break;
            }
            sleeper.sleep(poll);
        }
        Map<VerifyMatrix.Scenario, Result> results = new LinkedHashMap<>();
        for (Tracked t : tracked) {
            results.put(t.scenario, new Result(t.scenario, List.copyOf(t.ends), differences(t.scenario, t.ends, t.maxInFlight),
                    Duration.between(t.started, t.ended), t.maxInFlight));
        }
        return results;
    }

    private void look(Tracked t) throws InterruptedException {
        int inFlight = 0;
        boolean allEnded = true;
        for (int i = 0; i < t.ids.size(); i++) {
            String id = t.ids.get(i);
            if (id.isEmpty() || ENDED.contains(t.ends.get(i).status())) {
                continue;
            }
            try {
                JsonNode job = api.job(id);
                String status = job.path("status").asText();
                if (t.scenario.kind() == VerifyMatrix.Kind.CANCEL_WHEN_RUNNING && status.equals("RUNNING") && !t.cancelSent) {
                    t.cancelSent = true;
                    job = api.cancel(id);
                    status = job.path("status").asText();
                }
                t.ends.set(i, JobEnd.of(job));
                if (IN_FLIGHT.contains(status)) {
                    inFlight++;
                }
                if (!ENDED.contains(status)) {
                    allEnded = false;
                }
            } catch (IOException e) {
                // A look that failed (the network, a 5xx): look again next time; the deadline bounds it.
                allEnded = false;
            }
        }
        t.maxInFlight = Math.max(t.maxInFlight, inFlight);
        if (allEnded) {
            t.ended = clock.instant();
        }
    }

    /** What differs between the jobs' ends and the scenario's expectation; empty when nothing does. */
    static List<String> differences(VerifyMatrix.Scenario s, List<JobEnd> ends, int maxInFlight) {
        List<String> d = new ArrayList<>();
        for (int i = 0; i < ends.size(); i++) {
            VerifyMatrix.Expected e = s.expected().get(i);
            JobEnd job = ends.get(i);
            String which = ends.size() > 1 ? "job " + (i + 1) + " (" + job.id() + "): " : "";
            if (job.status().equals("REFUSED")) {
                d.add(which + "the submit was refused: " + job.message());
                continue;
            }
            if (!ENDED.contains(job.status())) {
                d.add(which + "did not end in time: last seen " + job.status());
                continue;
            }
            if (!e.status().equals(job.status())) {
                d.add(which + "status " + job.status() + ", expected " + e.status());
            }
            if (!Objects.equals(e.failureCode(), job.failureCode())) {
                d.add(which + "failure code " + job.failureCode() + ", expected " + e.failureCode()
                        + (job.message() == null ? "" : " (message: " + job.message() + ")"));
            }
            if (e.performance() == null ? job.performance() != null
                    : job.performance() == null || Double.compare(e.performance(), job.performance()) != 0) {
                d.add(which + "performance " + job.performance() + ", expected " + e.performance());
            }
            e.metrics().forEach((name, value) -> {
                Double got = job.metrics().get(name);
                if (got == null || Double.compare(got, value) != 0) {
                    d.add(which + "metric " + name + " " + got + ", expected " + VerifyReport.number(value));
                }
            });
            if (e.messageContains() != null && (job.message() == null || !job.message().contains(e.messageContains()))) {
                d.add(which + "the failure's message does not mention \"" + e.messageContains() + "\": " + job.message());
            }
        }
        if (s.kind() == VerifyMatrix.Kind.BURST && maxInFlight > VerifyMatrix.CAP) {
            d.add(maxInFlight + " jobs were in flight at once, more than the cap of " + VerifyMatrix.CAP);
        }
        return d;
    }
}
