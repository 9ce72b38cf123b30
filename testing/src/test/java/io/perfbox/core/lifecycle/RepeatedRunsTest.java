package io.perfbox.core.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.domain.Runs;
import io.perfbox.core.domain.VulnerabilityPolicy;
import io.perfbox.core.port.ContainerRunner;
import io.perfbox.core.port.ContainerRunner.RunLimits;
import io.perfbox.core.port.ImageBuilder;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import io.perfbox.core.port.JobArtifactStore.LogKind;
import io.perfbox.core.port.JobWorkspace;
import io.perfbox.core.port.LogSink;
import io.perfbox.testing.fakes.InMemoryDockerfileStore;
import io.perfbox.testing.fakes.InMemoryJobArtifactStore;
import io.perfbox.testing.fakes.InMemoryJobStore;
import io.perfbox.testing.fakes.ScriptedImageBuilder;
import io.perfbox.testing.fakes.ScriptedVulnerabilityScanner;
import io.perfbox.testing.fakes.SteppingClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * A job of several runs through the local pipeline: built and scanned once, run {@code runs} times on a fresh /data
 * each, its performance the median, every run kept, a failing run ending the job naming itself.
 */
class RepeatedRunsTest {
    private static final Instant START = Instant.parse("2026-03-01T12:00:00Z");
    private static final RunLimits LIMITS = new RunLimits(64L << 20, 1, 64, Duration.ofMinutes(5));

    private final InMemoryJobStore jobs = new InMemoryJobStore();
    private final InMemoryDockerfileStore dockerfiles = new InMemoryDockerfileStore();
    private final InMemoryJobArtifactStore artifacts = new InMemoryJobArtifactStore();
    private final ScriptedImageBuilder builder = new ScriptedImageBuilder();
    private final ScriptedVulnerabilityScanner scanner = new ScriptedVulnerabilityScanner();
    private final Directories workspace = new Directories();
    private final WritingRunner runner = new WritingRunner(workspace);

    RepeatedRunsTest() {
        builder.willReturn(new ImageBuilder.Built("perfbox/job-image:1", new CapturedLog("built", false)));
    }

    /** A /data per job as files in memory: prepare empties it, as the real workspace's fresh file system. */
    static final class Directories implements JobWorkspace {
        final Map<JobId, Map<String, byte[]>> files = new ConcurrentHashMap<>();
        final List<JobId> prepared = new CopyOnWriteArrayList<>();

        @Override
        public void prepare(JobId id) {
            prepared.add(id);
            files.put(id, new ConcurrentHashMap<>());
        }

        @Override
        public ResultFile readResult(JobId id, int maxBytes) {
            byte[] b = files.getOrDefault(id, Map.of()).get("perf.json");
            return b == null ? new Missing() : new Content(b);
        }

        @Override
        public void discard(JobId id) {
            files.remove(id);
        }
    }

    /**
     * A container that, on each run, notes whether the marker of an earlier run is in its /data, writes the marker and
     * what {@code perfJson} gives for that run (1 for the first) to perf.json, and exits as {@code outcome} says.
     */
    static final class WritingRunner implements ContainerRunner {
        private final Directories data;
        volatile IntFunction<String> perfJson = run -> "{\"perf\":" + run + "}";
        volatile IntFunction<RunOutcome> outcome = run -> new Exited(0, new CapturedLog("out " + run, false));
        final List<Boolean> sawEarlierMarker = new CopyOnWriteArrayList<>();
        final List<Integer> removedBeforeRun = new CopyOnWriteArrayList<>();
        /** Run {@code holdAt} counts {@code reached} down, then waits (interruptibly) for {@code released}. */
        volatile int holdAt;
        final CountDownLatch reached = new CountDownLatch(1);
        final CountDownLatch released = new CountDownLatch(1);
        private int runs;
        private int removes;

        WritingRunner(Directories data) {
            this.data = data;
        }

        @Override
        public synchronized RunOutcome run(JobId id, String imageRef, RunLimits limits, LogSink output)
                throws InterruptedException {
            int run = ++runs;
            removedBeforeRun.add(removes);
            Map<String, byte[]> dir = data.files.get(id);
            sawEarlierMarker.add(dir.keySet().stream().anyMatch(n -> n.startsWith("marker-")));
            dir.put("marker-" + run, new byte[] {1});
            output.write("container output of run " + run + "\n");
            if (holdAt == run) {
                reached.countDown();
                released.await();
            }
            String json = perfJson.apply(run);
            if (json != null) {
                dir.put("perf.json", json.getBytes(StandardCharsets.UTF_8));
            }
            return outcome.apply(run);
        }

        int runs() {
            return runs;
        }

        @Override
        public synchronized void remove(JobId id) {
            removes++;
        }
    }

    private JobPipeline pipeline() {
        JobResources resources = new HostJobResources(runner, builder, workspace);
        JobLifecycle lifecycle = new JobLifecycle(jobs, artifacts, VulnerabilityPolicy.DEFAULT, LIMITS.memoryBytes(),
                resources, new SteppingClock(START));
        return new JobPipeline(lifecycle, dockerfiles, builder, scanner, runner, workspace, resources,
                new PipelineSettings(Duration.ofMinutes(10), LIMITS, VulnerabilityPolicy.DEFAULT), artifacts);
    }

    private Job submitted(int runs) {
        Job job = Job.queued(JobId.random(), "alice", "bench", null, runs, START);
        jobs.create(job, Optional.empty());
        dockerfiles.save(job.id(), new Dockerfile("FROM debian:bookworm\n"));
        return job;
    }

    private Job executed(int runs) throws InterruptedException {
        Job job = submitted(runs);
        pipeline().execute(job.id());
        return jobs.find(job.id()).orElseThrow();
    }

    private void values(double... each) {
        runner.perfJson = run -> "{\"perf\":" + each[run - 1] + "}";
    }

    @Test
    void anOddCountBuildsAndScansOnceRunsThatManyTimesAndTakesTheMedian() throws InterruptedException {
        values(0.5, 0.9, 0.7);

        Job job = executed(3);

        assertThat(job.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(builder.builds()).hasSize(1);
        assertThat(runner.runs()).isEqualTo(3);
        assertThat(job.performance()).isEqualTo(0.7);
        assertThat(job.runs().requested()).isEqualTo(3);
        assertThat(job.runs().values()).containsExactly(0.5, 0.9, 0.7);
        assertThat(job.runs().completed()).extracting(Runs.Run::number).containsExactly(1, 2, 3);
        assertThat(job.runs().completed()).allSatisfy(r -> assertThat(r.duration()).isNotNull());
        assertThat(job.runs().min()).contains(0.5);
        assertThat(job.runs().max()).contains(0.9);
        assertThat(job.runs().spread().orElseThrow()).isCloseTo((0.9 - 0.5) / 0.7, Offset.offset(1e-12));
    }

    @Test
    void anEvenCountTakesTheMeanOfTheTwoMiddleValues() throws InterruptedException {
        values(4, 1, 3, 10);

        Job job = executed(4);

        assertThat(job.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(job.performance()).isEqualTo(3.5);
        assertThat(job.runs().values()).containsExactly(4.0, 1.0, 3.0, 10.0);
    }

    @Test
    void eachRunHasAFreshEmptyDataWithThePreviousContainerRemovedFirst() throws InterruptedException {
        Job job = executed(3);

        assertThat(job.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(runner.sawEarlierMarker).containsExactly(false, false, false);
        assertThat(workspace.prepared).hasSize(3);
        assertThat(runner.removedBeforeRun).containsExactly(0, 1, 2);
    }

    @Test
    void theMetricsAreTheMedianOfEachMetricOverTheRuns() throws InterruptedException {
        double[] loss = {0.3, 0.1, 0.2, 0.6};
        runner.perfJson = run -> "{\"perf\":" + run + ",\"metrics\":{\"loss\":" + loss[run - 1] + ",\"acc\":0.5}}";

        Job job = executed(4);

        assertThat(job.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(job.performance()).isEqualTo(2.5);
        assertThat(job.metrics()).containsExactlyInAnyOrderEntriesOf(Map.of("loss", 0.25, "acc", 0.5));
        assertThat(job.runs().completed().get(3).metrics()).containsEntry("loss", 0.6);
    }

    @Test
    void aRunReportingOtherMetricsThanTheFirstEndsTheJobInvalidResultNamingIt() throws InterruptedException {
        runner.perfJson = run -> run == 2 ? "{\"perf\":1,\"metrics\":{\"acc\":1}}" : "{\"perf\":1,\"metrics\":{\"loss\":1}}";

        Job job = executed(3);

        assertThat(job.status()).isEqualTo(JobStatus.FAILED);
        assertThat(job.failure().code()).isEqualTo(FailureCode.INVALID_RESULT);
        assertThat(job.failure().message()).startsWith("run 2 of 3: ").contains("[acc]", "[loss]");
        assertThat(runner.runs()).isEqualTo(2);
    }

    @Test
    void aFailingRunEndsTheJobWithItsFailureNamingTheRunAndKeepsTheRunsBefore() throws InterruptedException {
        values(0.5, 0.6, 0.7, 0.8, 0.9);
        runner.outcome = run -> new ContainerRunner.Exited(run == 3 ? 2 : 0, new CapturedLog("", false));

        Job job = executed(5);

        assertThat(job.status()).isEqualTo(JobStatus.FAILED);
        assertThat(job.failure().code()).isEqualTo(FailureCode.RUN_FAILED);
        assertThat(job.failure().message()).isEqualTo("run 3 of 5: The container exited with code 2");
        assertThat(job.performance()).isNull();
        assertThat(job.runs().values()).containsExactly(0.5, 0.6);
        assertThat(runner.runs()).isEqualTo(3);
        assertThat(workspace.files).doesNotContainKey(job.id());
    }

    @Test
    void aRunWithoutAResultEndsTheJobNoResultNamingTheRun() throws InterruptedException {
        runner.perfJson = run -> run == 2 ? null : "{\"perf\":1}";

        Job job = executed(2);

        assertThat(job.failure().code()).isEqualTo(FailureCode.NO_RESULT);
        assertThat(job.failure().message()).isEqualTo("run 2 of 2: The container exited 0 but wrote no /data/perf.json");
    }

    @Test
    void aTimedOutRunNamesTheRun() throws InterruptedException {
        runner.outcome = run -> run == 1 ? new ContainerRunner.Exited(0, CapturedLog.EMPTY)
                : new ContainerRunner.TimedOut(Duration.ofSeconds(30), CapturedLog.EMPTY);

        Job job = executed(3);

        assertThat(job.failure().code()).isEqualTo(FailureCode.RUN_TIMEOUT);
        assertThat(job.failure().message()).startsWith("run 2 of 3: The container was still running after 30 seconds");
    }

    @Test
    void oneRunSaysWhatAJobAlwaysSaid() throws InterruptedException {
        runner.outcome = run -> new ContainerRunner.Exited(1, new CapturedLog("", false));

        Job failed = executed(1);
        assertThat(failed.failure().message()).isEqualTo("The container exited with code 1");

        runner.outcome = run -> new ContainerRunner.Exited(0, new CapturedLog("", false));
        runner.perfJson = run -> "{\"perf\":0.99}";
        Job ok = executed(1);
        assertThat(ok.performance()).isEqualTo(0.99);
        assertThat(ok.runs()).isEqualTo(new Runs(1, List.of(ok.runs().completed().get(0))));
        assertThat(ok.runs().spread()).contains(0.0);
        assertThat(artifacts.log(ok.id(), LogKind.RUN).orElseThrow().text()).doesNotContain("[perfbox] run");
    }

    @Test
    void theRunLogSaysWhichRunIsUnderWay() throws InterruptedException {
        Job job = executed(2);

        String log = artifacts.log(job.id(), LogKind.RUN).orElseThrow().text();
        assertThat(log).containsSubsequence("[perfbox] run 1 of 2\n", "container output of run 1",
                "[perfbox] run 2 of 2\n", "container output of run 2");
    }

    @Test
    void anOutOfMemoryWarningNamesTheRun() throws InterruptedException {
        runner.outcome = run -> new ContainerRunner.Exited(0, CapturedLog.EMPTY, run == 2);

        Job job = executed(2);

        assertThat(job.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(job.warnings()).singleElement().asString().startsWith("run 2 of 2: A process in the container ran out");
    }

    @Test
    void aJobCancelledDuringARunStopsThereAndRunsNoMore() throws Exception {
        Job job = submitted(4);
        runner.holdAt = 2;
        JobPipeline pipeline = pipeline();
        FutureTask<Void> task = new FutureTask<>(() -> {
            pipeline.execute(job.id());
            return null;
        });
        Thread thread = new Thread(task, "runs-under-test");
        thread.setDaemon(true);
        thread.start();
        assertThat(runner.reached.await(10, TimeUnit.SECONDS)).isTrue();
        Job running = jobs.find(job.id()).orElseThrow();
        assertThat(running.runs().values()).containsExactly(1.0);
        Job cancelled = running.cancelled(START.plusSeconds(90));
        assertThat(jobs.update(cancelled, EnumSet.of(JobStatus.RUNNING))).isTrue();
        // What the launcher's stop does: the pipeline's thread is interrupted, which stops the run under way.
        thread.interrupt();

        try {
            task.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException expected) {
            assertThat(expected.getCause()).isInstanceOf(InterruptedException.class);
        }

        assertThat(runner.runs()).isEqualTo(2);
        Job ended = jobs.find(job.id()).orElseThrow();
        assertThat(ended.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(ended.runs().values()).containsExactly(1.0);
        assertThat(workspace.files).doesNotContainKey(job.id());
    }

    @Test
    void aRepeatedReportOfARecordedRunChangesNothing() {
        Job job = submitted(3);
        JobLifecycle lifecycle = new JobLifecycle(jobs, artifacts, VulnerabilityPolicy.DEFAULT, LIMITS.memoryBytes(),
                JobResources.RELEASED_ELSEWHERE, new SteppingClock(START));
        jobs.update(jobs.find(job.id()).orElseThrow().advancedTo(JobStatus.RUNNING, START), EnumSet.of(JobStatus.QUEUED));
        var exited = new ContainerRunner.Exited(0, CapturedLog.EMPTY);
        JobWorkspace.ResultFile one = new JobWorkspace.Content("{\"perf\":1}".getBytes(StandardCharsets.UTF_8));

        assertThat(lifecycle.ran(job.id(), 1, Duration.ofSeconds(3), exited, () -> one, null))
                .isEqualTo(JobLifecycle.Next.PROCEED);
        assertThat(lifecycle.ran(job.id(), 1, Duration.ofSeconds(3), exited, () -> one, null))
                .isEqualTo(JobLifecycle.Next.PROCEED);

        Job stored = jobs.find(job.id()).orElseThrow();
        assertThat(stored.status()).isEqualTo(JobStatus.RUNNING);
        assertThat(stored.runs().completed()).singleElement()
                .isEqualTo(new Runs.Run(1, 1.0, Map.of(), Duration.ofSeconds(3)));
        List<JobLifecycle.Next> rest = new ArrayList<>();
        rest.add(lifecycle.ran(job.id(), 2, Duration.ofSeconds(3), exited, () -> one, null));
        rest.add(lifecycle.ran(job.id(), 3, Duration.ofSeconds(3), exited, () -> one, null));
        rest.add(lifecycle.ran(job.id(), 3, Duration.ofSeconds(3), exited, () -> one, null));
        assertThat(rest).containsExactly(JobLifecycle.Next.PROCEED, JobLifecycle.Next.ENDED, JobLifecycle.Next.STOPPED);
        assertThat(jobs.find(job.id()).orElseThrow().runs().values()).containsExactly(1.0, 1.0, 1.0);
    }
}
