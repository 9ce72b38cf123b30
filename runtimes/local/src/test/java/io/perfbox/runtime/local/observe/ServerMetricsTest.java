package io.perfbox.runtime.local.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.perfbox.core.domain.Failure;
import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What {@code GET /metrics} serves, parsed as a scraper parses it: every metric's name, type and label set, the
 * histograms' buckets, the counters moving as jobs go through their stages, and label values bounded whatever the
 * tenants and their jobs are called.
 */
class ServerMetricsTest {
    private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");
    private static final Clock CLOCK = Clock.fixed(T0.plusSeconds(3600), ZoneOffset.UTC);

    /** Sources a test sets as it likes. */
    private static final class Fake implements ServerMetrics.Sources {
        Map<String, Integer> queued = new HashMap<>();
        int busy;
        Optional<Instant> dbUpdatedAt = Optional.of(T0);
        OptionalLong dataDir = OptionalLong.of(123_456);
        OptionalLong cache = OptionalLong.of(7_000_000);
        final AtomicInteger costlyCalls = new AtomicInteger();

        @Override
        public Map<String, Integer> queuedByTenant() {
            return queued;
        }

        @Override
        public int busyWorkers() {
            return busy;
        }

        @Override
        public int workers() {
            return 2;
        }

        @Override
        public Optional<Instant> scannerDatabaseUpdatedAt() {
            costlyCalls.incrementAndGet();
            return dbUpdatedAt;
        }

        @Override
        public OptionalLong dataDirBytes() {
            costlyCalls.incrementAndGet();
            return dataDir;
        }

        @Override
        public OptionalLong buildCacheBytes() {
            costlyCalls.incrementAndGet();
            return cache;
        }
    }

    private static PrometheusText scrape(ServerMetrics m) {
        return PrometheusText.parse(new String(m.scrape(), StandardCharsets.UTF_8));
    }

    @Test
    void everyMetricHasItsNameTypeAndLabelSet() {
        Fake sources = new Fake();
        sources.queued.put("team-a", 3);
        PrometheusText t = scrape(new ServerMetrics(sources, List.of(), CLOCK));

        assertThat(t.type("perfbox_jobs_submitted_total")).contains("counter");
        assertThat(t.type("perfbox_jobs_finished_total")).contains("counter");
        assertThat(t.type("perfbox_jobs")).contains("gauge");
        assertThat(t.type("perfbox_stage_duration_seconds")).contains("histogram");
        assertThat(t.type("perfbox_queue_depth")).contains("gauge");
        assertThat(t.type("perfbox_workers_busy")).contains("gauge");
        assertThat(t.type("perfbox_workers")).contains("gauge");
        assertThat(t.type("perfbox_scanner_db_age_seconds")).contains("gauge");
        assertThat(t.type("perfbox_data_dir_bytes")).contains("gauge");
        assertThat(t.type("perfbox_build_cache_bytes")).contains("gauge");
        t.families().values().forEach(f -> assertThat(f.help()).as(f.name()).isNotBlank());

        assertThat(t.samples("perfbox_jobs_submitted_total")).singleElement()
                .satisfies(s -> assertThat(s.labels()).isEmpty());
        assertThat(t.samples("perfbox_jobs_finished_total")).allSatisfy(s ->
                assertThat(s.labels().keySet()).containsExactlyInAnyOrder("status", "code"));
        assertThat(t.samples("perfbox_jobs")).allSatisfy(s -> assertThat(s.labels().keySet()).containsExactly("status"));
        assertThat(t.samples("perfbox_jobs").stream().map(s -> s.labels().get("status")))
                .containsExactlyInAnyOrder("QUEUED", "BUILDING", "SCANNING", "RUNNING");
        assertThat(t.samples("perfbox_queue_depth")).allSatisfy(s ->
                assertThat(s.labels().keySet()).containsExactly("tenant"));
        assertThat(t.value("perfbox_queue_depth", "tenant", "team-a")).contains(3.0);
        assertThat(t.value("perfbox_workers")).contains(2.0);
        assertThat(t.value("perfbox_workers_busy")).contains(0.0);
        assertThat(t.value("perfbox_scanner_db_age_seconds")).contains(3600.0);
        assertThat(t.value("perfbox_data_dir_bytes")).contains(123_456.0);
        assertThat(t.value("perfbox_build_cache_bytes")).contains(7_000_000.0);
    }

    @Test
    void everyStatusAndFailureCodeIsThereFromTheStartAtZero() {
        PrometheusText t = scrape(new ServerMetrics(new Fake(), List.of(), CLOCK));
        Set<String> pairs = t.samples("perfbox_jobs_finished_total").stream()
                .map(s -> s.labels().get("status") + "/" + s.labels().get("code")).collect(Collectors.toSet());
        assertThat(pairs).contains("SUCCEEDED/none", "CANCELLED/none").doesNotContain("FAILED/CANCELLED");
        for (FailureCode code : FailureCode.values()) {
            if (code != FailureCode.CANCELLED) {
                assertThat(pairs).contains("FAILED/" + code.name());
            }
        }
        assertThat(pairs).hasSize(FailureCode.values().length - 1 + 2);
        assertThat(t.samples("perfbox_jobs_finished_total")).allSatisfy(s -> assertThat(s.value()).isZero());
    }

    @Test
    void histogramsHaveTheirBucketsCumulativeWithInfCountAndSum() {
        PrometheusText t = scrape(new ServerMetrics(new Fake(), List.of(), CLOCK));
        for (String stage : List.of("queue", "build", "scan", "run")) {
            List<PrometheusText.Sample> buckets = t.samples("perfbox_stage_duration_seconds_bucket").stream()
                    .filter(s -> stage.equals(s.labels().get("stage"))).toList();
            assertThat(buckets.stream().map(s -> s.labels().get("le")).toList()).as(stage).containsExactly(
                    "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0", "10.0", "30.0", "60.0", "120.0", "300.0",
                    "600.0", "1800.0", "3600.0", "+Inf");
            assertThat(buckets).allSatisfy(s -> assertThat(s.labels().keySet()).containsExactlyInAnyOrder("stage", "le"));
            assertThat(t.value("perfbox_stage_duration_seconds_count", "stage", stage)).contains(0.0);
            assertThat(t.value("perfbox_stage_duration_seconds_sum", "stage", stage)).contains(0.0);
        }
    }

    @Test
    void aJobGoingThroughItsStagesMovesTheCountersGaugesAndHistograms() {
        ServerMetrics m = new ServerMetrics(new Fake(), List.of(), CLOCK);
        Job queued = Job.queued(JobId.random(), "team-a", "n", "", T0);
        m.created(queued);
        PrometheusText t = scrape(m);
        assertThat(t.value("perfbox_jobs_submitted_total")).contains(1.0);
        assertThat(t.value("perfbox_jobs", "status", "QUEUED")).contains(1.0);

        Job building = queued.advancedTo(JobStatus.BUILDING, T0.plusSeconds(2));
        m.updated(building);
        Job scanning = building.advancedTo(JobStatus.SCANNING, T0.plusSeconds(5));
        m.updated(scanning);
        m.updated(scanning.withWarning("a write within the stage", T0.plusSeconds(5)));
        Job running = scanning.advancedTo(JobStatus.RUNNING, T0.plusMillis(5_400));
        m.updated(running);
        t = scrape(m);
        assertThat(t.value("perfbox_jobs", "status", "RUNNING")).contains(1.0);
        assertThat(t.value("perfbox_jobs", "status", "QUEUED")).contains(0.0);

        Job succeeded = running.succeeded(0.9, T0.plusMillis(15_400));
        m.updated(succeeded);
        m.updated(succeeded); // a second write of an ended job is not a second end
        t = scrape(m);
        assertThat(t.value("perfbox_jobs_finished_total", "status", "SUCCEEDED", "code", "none")).contains(1.0);
        assertThat(t.samples("perfbox_jobs")).allSatisfy(s -> assertThat(s.value()).isZero());
        assertThat(t.value("perfbox_stage_duration_seconds_sum", "stage", "queue")).hasValueSatisfying(v -> assertThat(v).isCloseTo(2.0, within(1e-9)));
        assertThat(t.value("perfbox_stage_duration_seconds_sum", "stage", "build")).hasValueSatisfying(v -> assertThat(v).isCloseTo(3.0, within(1e-9)));
        assertThat(t.value("perfbox_stage_duration_seconds_sum", "stage", "scan")).hasValueSatisfying(v -> assertThat(v).isCloseTo(0.4, within(1e-9)));
        assertThat(t.value("perfbox_stage_duration_seconds_sum", "stage", "run")).hasValueSatisfying(v -> assertThat(v).isCloseTo(10.0, within(1e-9)));
        for (String stage : List.of("queue", "build", "scan", "run")) {
            assertThat(t.value("perfbox_stage_duration_seconds_count", "stage", stage)).as(stage).contains(1.0);
        }
        // 3 s of build: not in the 2.5 s bucket, in the 5 s one and every one above.
        assertThat(t.value("perfbox_stage_duration_seconds_bucket", "stage", "build", "le", "2.5")).contains(0.0);
        assertThat(t.value("perfbox_stage_duration_seconds_bucket", "stage", "build", "le", "5.0")).contains(1.0);
        assertThat(t.value("perfbox_stage_duration_seconds_bucket", "stage", "build", "le", "+Inf")).contains(1.0);
        assertThat(t.value("perfbox_stage_duration_seconds_bucket", "stage", "scan", "le", "0.25")).contains(0.0);
        assertThat(t.value("perfbox_stage_duration_seconds_bucket", "stage", "scan", "le", "0.5")).contains(1.0);
    }

    @Test
    void aFailedJobCountsUnderItsFailureCodeAndItsLastStage() {
        ServerMetrics m = new ServerMetrics(new Fake(), List.of(), CLOCK);
        Job queued = Job.queued(JobId.random(), "team-a", "n", "", T0);
        m.created(queued);
        Job building = queued.advancedTo(JobStatus.BUILDING, T0.plusSeconds(1));
        m.updated(building);
        m.updated(building.failed(Failure.of(FailureCode.BUILD_FAILED, "RUN false"), T0.plusSeconds(8)));
        Job other = Job.queued(JobId.random(), "team-b", "n", "", T0);
        m.created(other);
        m.updated(other.cancelled(T0.plusSeconds(1)));
        PrometheusText t = scrape(m);
        assertThat(t.value("perfbox_jobs_finished_total", "status", "FAILED", "code", "BUILD_FAILED")).contains(1.0);
        assertThat(t.value("perfbox_jobs_finished_total", "status", "CANCELLED", "code", "none")).contains(1.0);
        assertThat(t.value("perfbox_jobs_finished_total", "status", "SUCCEEDED", "code", "none")).contains(0.0);
        assertThat(t.value("perfbox_stage_duration_seconds_sum", "stage", "build")).contains(7.0);
        // The cancelled job waited 1 s in the queue; the failed one 1 s too.
        assertThat(t.value("perfbox_stage_duration_seconds_count", "stage", "queue")).contains(2.0);
        assertThat(t.value("perfbox_stage_duration_seconds_count", "stage", "scan")).contains(0.0);
    }

    @Test
    void jobsUnderWayAtStartAreCountedFromTheStore() {
        Job building = Job.queued(JobId.random(), "team-a", "n", "", T0).advancedTo(JobStatus.BUILDING, T0.plusSeconds(1));
        Job queued = Job.queued(JobId.random(), "team-a", "n", "", T0);
        ServerMetrics m = new ServerMetrics(new Fake(), List.of(building, queued), CLOCK);
        assertThat(scrape(m).value("perfbox_jobs", "status", "BUILDING")).contains(1.0);
        m.updated(building.failed(Failure.of(FailureCode.INTERRUPTED, "restart"), T0.plusSeconds(4)));
        PrometheusText t = scrape(m);
        assertThat(t.value("perfbox_jobs", "status", "BUILDING")).contains(0.0);
        assertThat(t.value("perfbox_jobs", "status", "QUEUED")).contains(1.0);
        assertThat(t.value("perfbox_jobs_finished_total", "status", "FAILED", "code", "INTERRUPTED")).contains(1.0);
    }

    @Test
    void noJobIdOrNameEverBecomesALabelWhateverClientsSubmit() {
        ServerMetrics m = new ServerMetrics(new Fake(), List.of(), CLOCK);
        String hostileName = "x\"} 1\nperfbox_evil{a=\"";
        for (int i = 0; i < 500; i++) {
            Job j = Job.queued(JobId.random(), "team-a", hostileName + i, "desc-" + i, T0);
            m.created(j);
            m.updated(j.advancedTo(JobStatus.BUILDING, T0.plusSeconds(1)).failed(Failure.of(FailureCode.BUILD_FAILED,
                    "message " + i), T0.plusSeconds(2)));
        }
        String text = new String(m.scrape(), StandardCharsets.UTF_8);
        PrometheusText t = PrometheusText.parse(text);
        assertThat(text).doesNotContain("perfbox_evil").doesNotContain("desc-").doesNotContain("message ");
        // The exposition does not grow with the jobs: the same series as before any job.
        int before = scrape(new ServerMetrics(new Fake(), List.of(), CLOCK)).samples().size();
        assertThat(t.samples()).hasSize(before);
        assertThat(t.value("perfbox_jobs_finished_total", "status", "FAILED", "code", "BUILD_FAILED")).contains(500.0);
    }

    @Test
    void queueDepthNamesAtMostFiftyTenantsAndSumsTheRest() {
        Fake sources = new Fake();
        for (int i = 0; i < 200; i++) {
            sources.queued.put(String.format("tenant-%03d", i), 1 + i % 7);
        }
        sources.queued.put("idle", 0);
        int total = sources.queued.values().stream().mapToInt(Integer::intValue).sum();
        PrometheusText t = scrape(new ServerMetrics(sources, List.of(), CLOCK));
        List<PrometheusText.Sample> depth = t.samples("perfbox_queue_depth");
        assertThat(depth).hasSize(ServerMetrics.MAX_TENANT_LABELS + 1);
        assertThat(depth.stream().mapToDouble(PrometheusText.Sample::value).sum()).isEqualTo(total);
        assertThat(t.value("perfbox_queue_depth", "tenant", ServerMetrics.OTHER_TENANTS)).hasValueSatisfying(v ->
                assertThat(v).isPositive());
        // The deepest queues are the ones named.
        assertThat(depth.stream().filter(s -> !s.labels().get("tenant").equals(ServerMetrics.OTHER_TENANTS)))
                .allSatisfy(s -> assertThat(s.value()).isGreaterThanOrEqualTo(6.0));
        assertThat(t.value("perfbox_queue_depth", "tenant", "idle")).isEmpty();
    }

    @Test
    void unknownValuesAreLeftOutNotMadeUp() {
        Fake sources = new Fake();
        sources.dbUpdatedAt = Optional.empty();
        sources.dataDir = OptionalLong.empty();
        sources.cache = OptionalLong.empty();
        PrometheusText t = scrape(new ServerMetrics(sources, List.of(), CLOCK));
        assertThat(t.samples("perfbox_scanner_db_age_seconds")).isEmpty();
        assertThat(t.samples("perfbox_data_dir_bytes")).isEmpty();
        assertThat(t.samples("perfbox_build_cache_bytes")).isEmpty();
    }

    @Test
    void aFloodOfScrapesAsksTheCostlySourcesOncePerInterval() {
        Fake sources = new Fake();
        ServerMetrics m = new ServerMetrics(sources, List.of(), CLOCK);
        for (int i = 0; i < 1000; i++) {
            m.scrape();
        }
        assertThat(sources.costlyCalls).hasValue(3);
    }

    @Test
    void aSampledValueIsLearnedAgainOnlyAfterItsIntervalAndNeverByTwoAtOnce() throws Exception {
        long[] now = {0};
        AtomicInteger calls = new AtomicInteger();
        Sampled<Integer> s = new Sampled<>(calls::incrementAndGet, Duration.ofSeconds(30), () -> now[0]);
        assertThat(s.get()).isEqualTo(1);
        now[0] = Duration.ofSeconds(29).toNanos();
        assertThat(s.get()).isEqualTo(1);
        now[0] = Duration.ofSeconds(30).toNanos();
        assertThat(s.get()).isEqualTo(2);

        // While one caller refreshes (slowly), the others answer the last value at once.
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger slowCalls = new AtomicInteger();
        Sampled<Integer> slow = new Sampled<>(() -> {
            int n = slowCalls.incrementAndGet();
            if (n == 2) {
                inside.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return n;
        }, Duration.ofSeconds(30), () -> now[0]);
        assertThat(slow.get()).isEqualTo(1);
        now[0] += Duration.ofMinutes(1).toNanos();
        Thread refresher = Thread.ofVirtual().start(slow::get);
        assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 100; i++) {
            assertThat(slow.get()).isEqualTo(1);
        }
        release.countDown();
        refresher.join();
        assertThat(slow.get()).isEqualTo(2);
        assertThat(slowCalls).hasValue(2);
    }
}
