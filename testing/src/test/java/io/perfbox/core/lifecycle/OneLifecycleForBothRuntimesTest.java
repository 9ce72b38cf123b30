package io.perfbox.core.lifecycle;

import static io.perfbox.core.lifecycle.LifecycleScenarios.BUILD_LOG;
import static io.perfbox.core.lifecycle.LifecycleScenarios.MEMORY_LIMIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.domain.RunReceipt;
import io.perfbox.core.domain.Runs;
import io.perfbox.core.domain.VulnerabilityPolicy;
import io.perfbox.core.lifecycle.JobLifecycle.Next;
import io.perfbox.core.lifecycle.LifecycleScenarios.Scenario;
import io.perfbox.core.port.ContainerRunner.RunLimits;
import io.perfbox.core.port.ImageBuilder;
import io.perfbox.core.port.JobArtifactStore.LogKind;
import io.perfbox.testing.fakes.InMemoryDockerfileStore;
import io.perfbox.testing.fakes.InMemoryJobArtifactStore;
import io.perfbox.testing.fakes.InMemoryJobStore;
import io.perfbox.testing.fakes.InMemoryJobWorkspace;
import io.perfbox.testing.fakes.ScriptedContainerRunner;
import io.perfbox.testing.fakes.ScriptedImageBuilder;
import io.perfbox.testing.fakes.ScriptedVulnerabilityScanner;
import io.perfbox.testing.fakes.SteppingClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Both runtimes drive the same {@link JobLifecycle}: the AWS workflow calls each step from its own handler (and may
 * repeat one whose answer was lost), the local {@link JobPipeline} calls them from one thread. The same job with the
 * same outcomes must end stored the same way, with the same failure and the same artifacts, whichever drove it.
 */
class OneLifecycleForBothRuntimesTest {
    private static final Instant START = Instant.parse("2026-03-01T12:00:00Z");
    private static final Job QUEUED = Job.queued(JobId.random(), "alice", "bench", "a benchmark", START);

    static Stream<Scenario> everyOutcome() {
        return LifecycleScenarios.everyOutcome();
    }

    /** A store, artifact store and lifecycle of their own for one driver, holding the same queued job. */
    private record Runtime(InMemoryJobStore jobs, InMemoryJobArtifactStore artifacts, JobLifecycle lifecycle) {
        static Runtime fresh(JobResources resources) {
            InMemoryJobStore jobs = new InMemoryJobStore();
            jobs.create(QUEUED, Optional.empty());
            InMemoryJobArtifactStore artifacts = new InMemoryJobArtifactStore();
            return new Runtime(jobs, artifacts, new JobLifecycle(jobs, artifacts, VulnerabilityPolicy.DEFAULT,
                    MEMORY_LIMIT, resources, new SteppingClock(START)));
        }

        Job stored() {
            return jobs.find(QUEUED.id()).orElseThrow();
        }
    }

    /** The AWS-style driver: each step called directly, then called again as a retried state would. */
    private static Runtime drivenStepByStep(Scenario s) {
        Runtime aws = Runtime.fresh(JobResources.RELEASED_ELSEWHERE);
        JobLifecycle lifecycle = aws.lifecycle();
        JobId id = QUEUED.id();

        assertThat(lifecycle.begin(id)).isEqualTo(Next.PROCEED);
        assertRepeatAnswers(aws, () -> lifecycle.begin(id), Next.PROCEED);

        Next built = lifecycle.built(id, s.built());
        assertThat(built).isEqualTo(s.endedIn() == JobStatus.BUILDING ? Next.ENDED : Next.PROCEED);
        assertRepeatAnswers(aws, () -> lifecycle.built(id, s.built()), built.proceed() ? Next.PROCEED : Next.STOPPED);
        if (!built.proceed()) {
            return aws;
        }

        Next scanned = lifecycle.scanned(id, s.scanResult());
        assertThat(scanned).isEqualTo(s.endedIn() == JobStatus.SCANNING ? Next.ENDED : Next.PROCEED);
        assertRepeatAnswers(aws, () -> lifecycle.scanned(id, s.scanResult()),
                scanned.proceed() ? Next.PROCEED : Next.STOPPED);
        if (!scanned.proceed()) {
            return aws;
        }

        // The run's conditions as the task reports them: the limits it ran under (the local runner's default part).
        var conditions = RunReceipt.ran(RUN_LIMITS.receipt(), null, null, null, null);
        assertThat(lifecycle.ran(id, s.ran(), s::result, conditions)).isEqualTo(Next.ENDED);
        assertRepeatAnswers(aws, () -> lifecycle.ran(id, s.ran(), s::result, conditions), Next.STOPPED);
        return aws;
    }

    private static void assertRepeatAnswers(Runtime runtime, Supplier<Next> repeat, Next expected) {
        Job before = runtime.stored();
        assertThat(repeat.get()).as("the repeated step's answer").isEqualTo(expected);
        assertThat(runtime.stored()).as("the job after the repeat").isEqualTo(before);
    }

    private static final RunLimits RUN_LIMITS = new RunLimits(MEMORY_LIMIT, 1, 128, Duration.ofMinutes(15));

    /** The local driver: one JobPipeline over scripted adapters that report the same outcomes. */
    private static Runtime drivenByThePipeline(Scenario s) throws InterruptedException {
        ScriptedImageBuilder builder = new ScriptedImageBuilder();
        builder.willReturn(s.built());
        ScriptedVulnerabilityScanner scanner = new ScriptedVulnerabilityScanner();
        if (s.scanError() != null) {
            scanner.willThrow(s.scanError());
        } else {
            scanner.willReturn(s.scanReport());
        }
        ScriptedContainerRunner runner = new ScriptedContainerRunner();
        runner.willReturn(s.ran());
        InMemoryJobWorkspace workspace = new InMemoryJobWorkspace();
        workspace.setResultFile(s.result());
        InMemoryDockerfileStore dockerfiles = new InMemoryDockerfileStore();
        dockerfiles.save(QUEUED.id(), new Dockerfile("FROM debian:bookworm\n"));
        JobResources resources = new HostJobResources(runner, builder, workspace);
        Runtime local = Runtime.fresh(resources);
        new JobPipeline(local.lifecycle(), dockerfiles, builder, scanner, runner, workspace, resources,
                new PipelineSettings(Duration.ofMinutes(10), RUN_LIMITS,
                        VulnerabilityPolicy.DEFAULT), local.artifacts()).execute(QUEUED.id());
        return local;
    }

    private static Job withoutRunDurations(Job job) {
        var runs = new Runs(job.runs().requested(), job.runs().completed().stream()
                .map(r -> new Runs.Run(r.number(), r.performance(), r.metrics(), null)).toList());
        return new Job(job.id(), job.owner(), job.name(), job.description(), job.status(), job.failure(),
                job.performance(), job.createdAt(), job.updatedAt(), job.stages(), job.vulnerabilities(), job.warnings(),
                job.metrics(), job.receipt(), runs);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyOutcome")
    void aJobEndsStoredTheSameWayWhicheverRuntimeDroveIt(Scenario s) throws Exception {
        Runtime aws = drivenStepByStep(s);
        Runtime local = drivenByThePipeline(s);

        Job ended = aws.stored();
        assertThat(ended.status()).isEqualTo(s.endStatus());
        assertThat(ended.failure()).isEqualTo(s.failure());
        assertThat(ended.stages().finishedAt()).isNotNull();
        // A run's duration is what its driver measured (the pipeline times the container; this test's AWS steps tell
        // none): everything else is the same.
        assertThat(withoutRunDurations(local.stored())).isEqualTo(withoutRunDurations(ended));
        JobId id = QUEUED.id();
        for (LogKind kind : LogKind.values()) {
            assertThat(local.artifacts().log(id, kind)).as(kind + " log").isEqualTo(aws.artifacts().log(id, kind));
        }
        assertThat(local.artifacts().scanReport(id)).isEqualTo(aws.artifacts().scanReport(id));
        assertThat(aws.artifacts().log(id, LogKind.BUILD)).contains(BUILD_LOG);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyOutcome")
    void onlyTheStepThatDecidesTheEndLeavesTheJobActiveBehindIt(Scenario s) {
        Runtime aws = drivenStepByStep(s);
        Job ended = aws.stored();
        switch (s.endedIn()) {
            case BUILDING -> assertThat(ended.stages().scanStartedAt()).isNull();
            case SCANNING -> assertThat(ended.stages()).satisfies(st -> {
                assertThat(st.scanStartedAt()).isNotNull();
                assertThat(st.runStartedAt()).isNull();
            });
            case RUNNING -> assertThat(ended.stages().runStartedAt()).isNotNull();
            default -> throw new IllegalStateException(s.endedIn().name());
        }
        if (s.built() instanceof ImageBuilder.Built) {
            assertThat(aws.artifacts().scanReport(QUEUED.id()).isPresent()).isEqualTo(s.scanError() == null);
        }
    }
}
