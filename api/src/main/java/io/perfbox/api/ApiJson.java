package io.perfbox.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.perfbox.core.domain.Finding;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.Misconfiguration;
import io.perfbox.core.domain.RankOrder;
import io.perfbox.core.domain.Runs;
import io.perfbox.core.domain.ScanReport;
import io.perfbox.core.domain.StageTimes;
import io.perfbox.core.domain.VulnerabilityCounts;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The API's JSON: one mapper, and the shapes of every response body (documented in openapi.json). */
public final class ApiJson {
    /** Strict for what clients send (duplicate keys rejected), plain ISO-8601 for times. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.ALWAYS, JsonInclude.Include.ALWAYS))
            .build();

    private ApiJson() {
    }

    /** The value's JSON as UTF-8 bytes, written straight into them (no intermediate String). */
    public static byte[] writeBytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public record FailureView(String code, String message) {
    }

    public record StagesView(Instant queuedAt, Instant buildStartedAt, Instant scanStartedAt,
                             Instant runStartedAt, Instant finishedAt) {
        static StagesView of(StageTimes s) {
            return new StagesView(s.queuedAt(), s.buildStartedAt(), s.scanStartedAt(), s.runStartedAt(), s.finishedAt());
        }
    }

    public record JobView(String id, String name, String description, String status, FailureView failure,
                          Double performance, Map<String, Double> metrics, Instant createdAt, Instant updatedAt,
                          StagesView stages, Map<String, Integer> vulnerabilities, List<String> warnings,
                          Map<String, Object> receipt, int runs, List<RunView> runResults, RunSummaryView runSummary) {
        /**
         * receipt: RunReceipt's own codec (its parts no step reported left out); null for a job without one. runs: the
         * count asked for; runResults: each completed run; runSummary: their median, min, max and spread (null before
         * the first run completed).
         */
        public static JobView of(Job job) {
            Runs runs = job.runs();
            return new JobView(job.id().value(), job.name(), job.description(), job.status().name(),
                    job.failure() == null ? null : new FailureView(job.failure().code().name(), job.failure().message()),
                    job.performance(), job.metrics(), job.createdAt(), job.updatedAt(), StagesView.of(job.stages()),
                    job.vulnerabilities() == null ? null : job.vulnerabilities().asOrderedMap(), job.warnings(),
                    job.receipt() == null ? null : job.receipt().toMap(), runs.requested(),
                    runs.completed().stream().map(RunView::of).toList(), RunSummaryView.of(runs));
        }
    }

    /** One completed run: its number (1 for the first), its value, its metrics, how long it ran (null: unknown). */
    public record RunView(int run, double value, Map<String, Double> metrics, Double durationSeconds) {
        static RunView of(Runs.Run r) {
            return new RunView(r.number(), r.performance(), r.metrics(),
                    r.duration() == null ? null : r.duration().toNanos() / 1e9);
        }
    }

    /**
     * The completed runs at a glance: how many, their values in run order, the median (the job's performance once it
     * SUCCEEDED), min, max and the relative spread (max − min) / |median| (null when the median is 0 and they differ).
     */
    public record RunSummaryView(int completed, List<Double> values, double median, double min, double max,
                                 Double spread) {
        static RunSummaryView of(Runs runs) {
            if (runs.completed().isEmpty()) {
                return null;
            }
            return new RunSummaryView(runs.completed().size(), runs.values(), runs.median().orElseThrow(),
                    runs.min().orElseThrow(), runs.max().orElseThrow(), runs.spread().orElse(null));
        }
    }

    /**
     * One place of a leaderboard: the job, the value it is ranked by, and all it measured.
     * runs: how many runs the value is the median of; spread: theirs, (max − min) / |median| (null: undefined).
     */
    public record LeaderboardEntryView(int rank, String id, String name, double value, Double performance,
                                       Map<String, Double> metrics, Instant createdAt, int runs, Double spread) {
    }

    public record LeaderboardView(String metric, String order, List<LeaderboardEntryView> entries) {
        public static LeaderboardView of(String metric, RankOrder order, List<Job> ranked) {
            List<LeaderboardEntryView> entries = new ArrayList<>(ranked.size());
            for (Job job : ranked) {
                entries.add(new LeaderboardEntryView(entries.size() + 1, job.id().value(), job.name(),
                        job.metric(metric).orElseThrow(), job.performance(), job.metrics(), job.createdAt(),
                        job.runs().completed().size(), job.runs().spread().orElse(null)));
            }
            return new LeaderboardView(metric, order.wire(), entries);
        }
    }

    /** One submission on the chart: when it was made and the value it reached. */
    public record HistoryPointView(String id, String name, Instant createdAt, double value) {
    }

    public record HistoryView(String metric, List<HistoryPointView> points) {
        public static HistoryView of(String metric, List<Job> oldestFirst) {
            return new HistoryView(metric, oldestFirst.stream().map(job -> new HistoryPointView(job.id().value(),
                    job.name(), job.createdAt(), job.metric(metric).orElseThrow())).toList());
        }
    }

    public record JobListView(List<JobView> jobs, String nextToken) {
    }

    public record LogView(String text, boolean truncated) {
        static LogView of(CapturedLog log) {
            return new LogView(log.text(), log.truncated());
        }
    }

    public record LogsView(String id, String status, LogView build, LogView run) {
        public static LogsView of(Job job, CapturedLog build, CapturedLog run) {
            return new LogsView(job.id().value(), job.status().name(), LogView.of(build), LogView.of(run));
        }
    }

    public record FindingView(String vulnerabilityId, String severity, String packageName, String installedVersion,
                              String fixedVersion, String title, String target) {
        static FindingView of(Finding f) {
            return new FindingView(f.vulnerabilityId(), f.severity().name(), f.packageName(), f.installedVersion(),
                    f.fixedVersion(), f.title(), f.target());
        }
    }

    /** One Dockerfile check the Dockerfile fails; the lines are null when the check names none. */
    public record MisconfigurationView(String id, String severity, String title, String message, Integer startLine,
                                       Integer endLine, boolean blocking) {
        static MisconfigurationView of(Misconfiguration m, ScanReport.Gate gate) {
            boolean blocking = gate != null && gate.misconfigurations() != null
                    && m.severity().atLeast(gate.misconfigurations());
            return new MisconfigurationView(m.id(), m.severity().name(), m.title(), m.message(), m.startLine(),
                    m.endLine(), blocking);
        }
    }

    /**
     * The thresholds the job's scan was judged by: vulnerabilities (a finding at or above it blocks), ignoreUnfixed,
     * misconfigurations (a misconfiguration at or above it blocks; null: none does, they are warnings).
     */
    public record ThresholdsView(String vulnerabilities, boolean ignoreUnfixed, String misconfigurations) {
        static ThresholdsView of(ScanReport.Gate gate) {
            return gate == null ? null : new ThresholdsView(gate.vulnerabilities().name(), gate.ignoreUnfixed(),
                    gate.misconfigurations() == null ? null : gate.misconfigurations().name());
        }
    }

    public record ScanView(String id, String status, boolean scanned, String scanner, String scannerVersion,
                           Map<String, Integer> counts, List<FindingView> findings,
                           List<MisconfigurationView> misconfigurations, ThresholdsView thresholds) {
        public static ScanView of(Job job, ScanReport report) {
            if (report == null) {
                return new ScanView(job.id().value(), job.status().name(), false, null, null, null, List.of(),
                        List.of(), null);
            }
            return new ScanView(job.id().value(), job.status().name(), true, report.scanner(), report.scannerVersion(),
                    VulnerabilityCounts.of(report.findings()).asOrderedMap(),
                    report.findings().stream().map(FindingView::of).toList(),
                    report.misconfigurations().stream().map(m -> MisconfigurationView.of(m, report.gate())).toList(),
                    ThresholdsView.of(report.gate()));
        }
    }
}
