package io.perfbox.runtime.local.observe;

import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.domain.StageTimes;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What {@code GET /metrics} serves, in Prometheus' text format, with the official client: jobs submitted and finished
 * (by status and failure code), jobs under way by status, the stages' durations as histograms, the queue's depth per
 * tenant, busy workers, the scanner's database age, and the disk the data dir and the engine's build cache use.
 * <p>
 * Every label's values are bounded whatever clients send: statuses, failure codes and stages are enums, and tenants
 * (made by the operator's {@code keys create}, never by a request) are at most {@link #MAX_TENANT_LABELS}, the rest
 * summed under {@link #OTHER_TENANTS}. No job id, job name or other text a client chose is ever a label: a client
 * cannot grow the exposition (a cardinality attack). The values that cost a process or a walk to learn are sampled at
 * most once per {@link #SAMPLE_INTERVAL}, so scrapes stay cheap.
 */
public final class ServerMetrics implements JobChanges {
    /** Most tenants named in {@code perfbox_queue_depth}; the rest are summed under {@link #OTHER_TENANTS}. */
    public static final int MAX_TENANT_LABELS = 50;
    /** Not a tenant name (those start with a-z or 0-9). */
    public static final String OTHER_TENANTS = "_other";
    /** The failure code label of a job that ended without one (SUCCEEDED, or CANCELLED). */
    public static final String NO_CODE = "none";
    /** How often the costly values are learned again at most. */
    public static final Duration SAMPLE_INTERVAL = Duration.ofSeconds(30);
    /** The stages' histogram buckets, in seconds: a cached build in tenths of a second up to a run's hour. */
    static final double[] STAGE_BUCKETS = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600};

    /** What the metrics read from the rest of the server. Any method may be slow; those marked are sampled. */
    public interface Sources {
        /** Jobs waiting for a worker, per tenant (tenants with none may be left out). */
        Map<String, Integer> queuedByTenant();

        /** Workers running a job now. */
        int busyWorkers();

        /** Workers configured. */
        int workers();

        /** When the scanner's vulnerability database was built; empty when unknown (sampled). */
        Optional<Instant> scannerDatabaseUpdatedAt();

        /** Bytes the data dir takes on disk; empty when unknown (sampled). */
        OptionalLong dataDirBytes();

        /** Bytes of the engine's build cache; empty when unknown (sampled). */
        OptionalLong buildCacheBytes();
    }

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Clock clock;
    /** The status of every job under way that this server wrote (bounded by the jobs under way; never a label). */
    private final Map<JobId, JobStatus> underWay = new ConcurrentHashMap<>();
    private final Counter submitted;
    private final Counter finished;
    private final Histogram stages;

    public ServerMetrics(Sources sources, Collection<Job> unfinished, Clock clock) {
        this.clock = clock;
        unfinished.forEach(j -> {
            if (!j.status().isTerminal()) {
                underWay.put(j.id(), j.status());
            }
        });
        submitted = Counter.builder().name("perfbox_jobs_submitted")
                .help("Jobs submitted (accepted) since this server started").register(registry);
        finished = Counter.builder().name("perfbox_jobs_finished")
                .help("Jobs that ended since this server started, by status and failure code (none: no failure)")
                .labelNames("status", "code").register(registry);
        // Every combination from the start, so that rates and alerts see a 0 before the first such job.
        finished.labelValues(JobStatus.SUCCEEDED.name(), NO_CODE);
        finished.labelValues(JobStatus.CANCELLED.name(), NO_CODE);
        for (FailureCode code : FailureCode.values()) {
            // CANCELLED is the code of a CANCELLED job alone, counted above as CANCELLED/none: no FAILED job has it.
            if (code != FailureCode.CANCELLED) {
                finished.labelValues(JobStatus.FAILED.name(), code.name());
            }
        }
        stages = Histogram.builder().name("perfbox_stage_duration_seconds")
                .help("How long jobs spent in each stage: queue (waiting for a worker), build, scan, run")
                .labelNames("stage").classicOnly().classicUpperBounds(STAGE_BUCKETS).register(registry);
        for (Stage s : Stage.values()) {
            stages.labelValues(s.label);
        }
        GaugeWithCallback.builder().name("perfbox_jobs")
                .help("Jobs under way now, by status").labelNames("status")
                .callback(cb -> {
                    Map<JobStatus, Integer> counts = new EnumMap<>(JobStatus.class);
                    JobStatus.ACTIVE.forEach(s -> counts.put(s, 0));
                    underWay.values().forEach(s -> counts.merge(s, 1, Integer::sum));
                    counts.forEach((s, n) -> cb.call(n, s.name()));
                }).register(registry);
        GaugeWithCallback.builder().name("perfbox_queue_depth")
                .help("Jobs waiting for a worker, per tenant (at most " + MAX_TENANT_LABELS + " tenants named, the"
                        + " deepest queues; the rest summed as " + OTHER_TENANTS + ")")
                .labelNames("tenant")
                .callback(cb -> boundedTenants(sources.queuedByTenant()).forEach((t, n) -> cb.call(n, t)))
                .register(registry);
        GaugeWithCallback.builder().name("perfbox_workers_busy").help("Workers running a job now")
                .callback(cb -> cb.call(sources.busyWorkers())).register(registry);
        GaugeWithCallback.builder().name("perfbox_workers").help("Workers configured (--workers)")
                .callback(cb -> cb.call(sources.workers())).register(registry);
        Sampled<Optional<Instant>> dbUpdatedAt = new Sampled<>(sources::scannerDatabaseUpdatedAt, SAMPLE_INTERVAL);
        GaugeWithCallback.builder().name("perfbox_scanner_db_age_seconds")
                .help("Age of the scanner's vulnerability database (since Trivy's UpdatedAt); absent when unknown")
                .callback(cb -> dbUpdatedAt.get().ifPresent(t ->
                        cb.call(Math.max(0, Duration.between(t, clock.instant()).toMillis() / 1000.0))))
                .register(registry);
        Sampled<OptionalLong> dataDir = new Sampled<>(sources::dataDirBytes, SAMPLE_INTERVAL);
        GaugeWithCallback.builder().name("perfbox_data_dir_bytes")
                .help("Disk the data dir uses (jobs, logs, database, workspaces); absent when unknown")
                .callback(cb -> dataDir.get().ifPresent(cb::call)).register(registry);
        Sampled<OptionalLong> buildCache = new Sampled<>(sources::buildCacheBytes, SAMPLE_INTERVAL);
        GaugeWithCallback.builder().name("perfbox_build_cache_bytes")
                .help("Size of the Docker engine's build cache; absent when unknown")
                .callback(cb -> buildCache.get().ifPresent(cb::call)).register(registry);
    }

    /** The stages a job goes through, each the label of its duration. */
    enum Stage {
        QUEUE("queue", JobStatus.QUEUED), BUILD("build", JobStatus.BUILDING), SCAN("scan", JobStatus.SCANNING),
        RUN("run", JobStatus.RUNNING);

        final String label;
        final JobStatus status;

        Stage(String label, JobStatus status) {
            this.label = label;
            this.status = status;
        }

        static Optional<Stage> of(JobStatus status) {
            for (Stage s : values()) {
                if (s.status == status) {
                    return Optional.of(s);
                }
            }
            return Optional.empty();
        }
    }

    /** At most {@link #MAX_TENANT_LABELS} tenants, the deepest queues first; the rest summed as one. */
    static Map<String, Integer> boundedTenants(Map<String, Integer> depths) {
        List<Map.Entry<String, Integer>> all = new ArrayList<>(depths.entrySet());
        all.removeIf(e -> e.getValue() == null || e.getValue() <= 0);
        all.sort(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()));
        Map<String, Integer> out = new LinkedHashMap<>();
        int other = 0;
        for (Map.Entry<String, Integer> e : all) {
            if (out.size() < MAX_TENANT_LABELS) {
                out.put(e.getKey().isEmpty() ? OTHER_TENANTS : e.getKey(), e.getValue());
            } else {
                other += e.getValue();
            }
        }
        if (other > 0) {
            out.merge(OTHER_TENANTS, other, Integer::sum);
        }
        return out;
    }

    @Override
    public void created(Job job) {
        submitted.inc();
        if (job.status().isTerminal()) {
            finished(job);
        } else {
            underWay.put(job.id(), job.status());
        }
    }

    @Override
    public void updated(Job job) {
        JobStatus before = job.status().isTerminal() ? underWay.remove(job.id()) : underWay.put(job.id(), job.status());
        if (before == job.status()) {
            return; // a write within the stage (a receipt, a warning)
        }
        if (before != null) {
            Stage.of(before).ifPresent(stage -> durationOf(stage, job.stages(), job.status())
                    .ifPresent(d -> stages.labelValues(stage.label).observe(d.toNanos() / 1e9)));
        }
        // Counted once, when it ends: a later write of an ended job (none was under way) is not another end.
        if (job.status().isTerminal() && before != null) {
            finished(job);
        }
    }

    @Override
    public void deleted(JobId id) {
        underWay.remove(id);
    }

    private void finished(Job job) {
        String code = job.status() == JobStatus.FAILED && job.failure() != null ? job.failure().code().name() : NO_CODE;
        finished.labelValues(job.status().name(), code).inc();
    }

    /** How long the job was in {@code stage}: from its start to the next stage's start, or to the job's end. */
    static Optional<Duration> durationOf(Stage stage, StageTimes t, JobStatus next) {
        Instant from = switch (stage) {
            case QUEUE -> t.queuedAt();
            case BUILD -> t.buildStartedAt();
            case SCAN -> t.scanStartedAt();
            case RUN -> t.runStartedAt();
        };
        Instant to = switch (next) {
            case BUILDING -> t.buildStartedAt();
            case SCANNING -> t.scanStartedAt();
            case RUNNING -> t.runStartedAt();
            case SUCCEEDED, FAILED, CANCELLED -> t.finishedAt();
            case QUEUED -> null;
        };
        if (from == null || to == null || to.isBefore(from)) {
            return Optional.empty();
        }
        return Optional.of(Duration.between(from, to));
    }

    /** The text format's media type. */
    public String contentType() {
        return writer.getContentType();
    }

    /** Every metric now, in Prometheus' text format. */
    public byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
