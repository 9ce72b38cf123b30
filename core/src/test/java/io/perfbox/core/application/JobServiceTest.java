package io.perfbox.core.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.InvalidInputException;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobNotFoundException;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.domain.ScanReport;
import io.perfbox.core.fakes.InMemoryJobStore;
import io.perfbox.core.port.DockerfileStore;
import io.perfbox.core.port.JobArtifactStore;
import io.perfbox.core.port.PipelineLauncher;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JobServiceTest {
    private final InMemoryJobStore jobs = new InMemoryJobStore();
    private final Map<JobId, Dockerfile> dockerfiles = new HashMap<>();
    private final Set<JobId> artifactsDeleted = new HashSet<>();
    private final List<String> launches = new ArrayList<>();

    private final JobService service = new JobService(jobs,
            new DockerfileStore() {
                public void save(JobId id, Dockerfile d) { dockerfiles.put(id, d); }
                public Optional<Dockerfile> load(JobId id) { return Optional.ofNullable(dockerfiles.get(id)); }
                public void delete(JobId id) { dockerfiles.remove(id); }
            },
            new JobArtifactStore() {
                public void saveLog(JobId id, LogKind kind, CapturedLog log) { }
                public Optional<CapturedLog> log(JobId id, LogKind kind) { return Optional.empty(); }
                public void saveScanReport(JobId id, ScanReport report) { }
                public Optional<ScanReport> scanReport(JobId id) { return Optional.empty(); }
                public void deleteAll(JobId id) { artifactsDeleted.add(id); }
            },
            new PipelineLauncher() {
                public void start(JobId id) { launches.add("start " + id); }
                public void stop(JobId id) { launches.add("stop " + id); }
            },
            Clock.systemUTC());

    private static SubmitJobCommand command(String owner, String dockerfile, String key) {
        return new SubmitJobCommand(owner, "n", null, new Dockerfile(dockerfile), Optional.ofNullable(key));
    }

    @Test
    void submitStoresDockerfileAndJobThenStartsThePipeline() {
        Job job = service.submit(command("me", "FROM a", null)).job();
        assertThat(job.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(dockerfiles).containsKey(job.id());
        assertThat(launches).containsExactly("start " + job.id());
    }

    @Test
    void retryWithTheSameKeyReturnsTheFirstJobAndStartsNothingMore() {
        var first = service.submit(command("me", "FROM a", "k"));
        var retry = service.submit(command("me", "FROM a", "k"));
        assertThat(retry.created()).isFalse();
        assertThat(retry.job().id()).isEqualTo(first.job().id());
        assertThat(launches).hasSize(1);
        assertThat(dockerfiles).hasSize(1);
    }

    @Test
    void reusedKeyWithAnotherRequestIsAConflict() {
        service.submit(command("me", "FROM a", "k"));
        assertThatThrownBy(() -> service.submit(command("me", "FROM b", "k")))
                .isInstanceOfSatisfying(InvalidInputException.class,
                        e -> assertThat(e.kind()).isEqualTo(InvalidInputException.Kind.CONFLICT));
        assertThat(dockerfiles).hasSize(1);
    }

    @Test
    void anotherOwnersJobIsNotFound() {
        Job job = service.submit(command("me", "FROM a", null)).job();
        assertThatThrownBy(() -> service.get("someone-else", job.id())).isInstanceOf(JobNotFoundException.class);
        assertThatThrownBy(() -> service.cancelAndDelete("someone-else", job.id())).isInstanceOf(JobNotFoundException.class);
        assertThat(jobs.find(job.id())).isPresent();
    }

    @Test
    void deletingARunningJobCancelsStopsAndRemovesEverything() {
        Job job = service.submit(command("me", "FROM a", null)).job();
        jobs.update(job.advancedTo(JobStatus.RUNNING, Instant.now()), EnumSet.of(JobStatus.QUEUED));
        Job ended = service.cancelAndDelete("me", job.id());
        assertThat(ended.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(launches).contains("stop " + job.id());
        assertThat(jobs.find(job.id())).isEmpty();
        assertThat(dockerfiles).doesNotContainKey(job.id());
        assertThat(artifactsDeleted).contains(job.id());
    }

    @Test
    void deletingAFinishedJobRemovesItWithoutStoppingAnything() {
        Job job = service.submit(command("me", "FROM a", null)).job();
        jobs.update(job.succeeded(0.5, Instant.now()), EnumSet.of(JobStatus.QUEUED));
        assertThat(service.cancelAndDelete("me", job.id()).status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(launches).doesNotContain("stop " + job.id());
        assertThat(jobs.find(job.id())).isEmpty();
    }

    @Test
    void badPageTokenIsInvalidInput() {
        assertThatThrownBy(() -> service.list(new ListJobsQuery("me", 10, Optional.of("%%%"), Optional.empty())))
                .isInstanceOf(InvalidInputException.class);
    }
}
