package io.perfbox.adapter.aws.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.adapter.aws.codebuild.BuildOutcomeFile;
import io.perfbox.adapter.aws.ecs.StoppedTask;
import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.Failure;
import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.domain.RunReceipt;
import io.perfbox.core.domain.Runs;
import io.perfbox.core.port.ImageBuilder;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import io.perfbox.core.port.JobStore;
import io.perfbox.core.port.JobStore.IdempotencyKey;
import io.perfbox.core.port.TenantUsage;
import io.perfbox.testing.aws.Moto;
import io.perfbox.testing.aws.StepInputs;
import io.perfbox.testing.contract.JobStoreContract;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * The production DynamoDB adapter against moto (server mode), held to the contract every JobStore meets, and to
 * what only DynamoDB does: conditional writes, the idempotency transaction and the byOwner index's pages.
 */
class DynamoDbJobStoreIT extends JobStoreContract {
    private static DynamoDbClient client;
    private String table;
    private DynamoDbJobStore store;
    private final String owner = "alice-" + UUID.randomUUID();
    private Instant clock = Instant.parse("2026-02-01T00:00:00Z");

    @BeforeAll
    static void startMoto() {
        client = Moto.dynamoDb();
    }

    @AfterAll
    static void closeClient() {
        if (client != null) {
            client.close();
        }
    }

    @BeforeEach
    void freshTable() {
        table = "jobs-" + UUID.randomUUID();
        JobTable.createIfMissing(client, table);
        store = new DynamoDbJobStore(client, table);
    }

    @Override
    protected JobStore store() {
        return store;
    }

    private Job newJob() {
        clock = clock.plusSeconds(1);
        return Job.queued(JobId.random(), owner, "bench", null, clock);
    }

    private Map<String, AttributeValue> rawItem(String pk) {
        return client.getItem(b -> b.tableName(table).key(Map.of(JobTable.PK, AttributeValue.fromS(pk)))
                .consistentRead(true)).item();
    }

    /**
     * A receipt as an AWS job that ran has it, each part from what the AWS steps read: the Dockerfile's sha256 at
     * submission, the build outcome file the buildspec writes (its image id, registry digest and resolved base
     * images), the scanner and DB it names, and the task runTask.sync returned (StepInputs' fixture of the recorded
     * output: its size, platform version and the job container's image digest).
     */
    @Test
    void anAwsJobsFullReceiptRoundTrips() throws Exception {
        String pushed = "sha256:" + "7c3e9a05".repeat(8);
        BuildOutcomeFile file = BuildOutcomeFile.parse("""
                {"outcome":"BUILT","imageUri":"123456789012.dkr.ecr.eu-west-1.amazonaws.com/perfbox-jobs:job-1",
                 "pushed":true,"trivyVersion":"0.58.1","imageId":"sha256:%s","imageDigest":"%s",
                 "baseImages":[{"name":"docker.io/library/python:3.9-slim-buster",
                 "digest":"sha256:0ac1e4889c90d3117680b33cbdd397e3d95098b4c6bcff8600035fa5343527ed"}],
                 "trivyDbUpdatedAt":"2026-12-07T06:12:03Z"}""".formatted("4f1d2b8a".repeat(8), pushed)
                .getBytes(StandardCharsets.UTF_8));
        Job job = newJob();
        StoppedTask task = StoppedTask.from(StepInputs.JSON.readTree(StepInputs.succeededTask(job.id()))).orElseThrow();
        RunReceipt receipt = RunReceipt.submitted(new Dockerfile("FROM python:3.9-slim-buster\nRUN true\n"), "0.1.0")
                .merge(((ImageBuilder.Built) file.toBuildOutcome(CapturedLog.EMPTY)).receipt())
                .merge(RunReceipt.scanned(new RunReceipt.Scanner("trivy", file.trivyVersion(), file.trivyDbUpdatedAt(),
                        null)))
                .merge(task.receipt(new RunReceipt.Limits(2048L << 20, 1.0, null, 900L, null, null)));
        assertThat(receipt.imageDigest()).as("the digest ECS pulled, last").isEqualTo(task.jobImageDigest().orElseThrow());
        assertThat(receipt.containerRuntime()).isEqualTo("fargate 1.4.0");
        assertThat(receipt.baseImages()).hasSize(1);
        assertThat(receipt.limits().cpus()).isEqualTo(1.0);

        Job ran = job.withReceipt(receipt);
        store.create(ran, Optional.empty());

        assertThat(store.find(job.id()).orElseThrow().receipt()).isEqualTo(receipt);
        assertThat(rawItem("JOB#" + job.id().value())).containsKey("receipt");
    }

    @Test
    void anItemStoredCancelledWithTheOldCodeInterruptedReadsAsCancelled() {
        Job job = newJob();
        store.create(job, Optional.empty());
        assertThat(store.update(job.cancelled(clock.plusSeconds(1)), EnumSet.of(JobStatus.QUEUED))).isTrue();
        // What a deployment from before the failure code CANCELLED wrote for a cancel.
        Map<String, AttributeValue> old = new HashMap<>(rawItem("JOB#" + job.id().value()));
        assertThat(old.get("failureCode").s()).isEqualTo("CANCELLED");
        old.put("failureCode", AttributeValue.fromS("INTERRUPTED"));
        client.putItem(b -> b.tableName(table).item(old));

        Job read = store.find(job.id()).orElseThrow();
        assertThat(read.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(read.failure().code()).isEqualTo(FailureCode.CANCELLED);
        assertThat(read.failure().message()).isEqualTo("Cancelled by the user while QUEUED");
    }

    // ---- conditional writes ----

    @Test
    void creatingAJobWhoseIdIsTakenIsRefusedAndKeepsTheFirst() {
        Job first = newJob();
        store.create(first, Optional.empty());
        Job sameId = first.cancelled(clock.plusSeconds(5));

        assertThatThrownBy(() -> store.create(sameId, Optional.empty()))
                .isInstanceOf(ConditionalCheckFailedException.class);
        assertThat(store.find(first.id())).contains(first);
    }

    @Test
    void updateWithAnExpectedStatusThatIsNotStoredWritesNothing() {
        Job job = newJob();
        store.create(job, Optional.empty());

        assertThat(store.update(job.succeeded(0.5, clock.plusSeconds(1)), EnumSet.of(JobStatus.RUNNING))).isFalse();
        assertThat(store.update(job.advancedTo(JobStatus.BUILDING, clock), EnumSet.noneOf(JobStatus.class))).isFalse();

        assertThat(store.find(job.id())).contains(job);
    }

    @Test
    void updateAcceptsAnyOfSeveralExpectedStatuses() {
        Job job = newJob();
        store.create(job, Optional.empty());
        Job building = job.advancedTo(JobStatus.BUILDING, clock.plusSeconds(1));

        assertThat(store.update(building, EnumSet.of(JobStatus.SCANNING, JobStatus.QUEUED, JobStatus.RUNNING))).isTrue();
        assertThat(store.find(job.id())).contains(building);
    }

    @Test
    void updateOfAJobNeverStoredDoesNotCreateIt() {
        Job never = newJob();

        assertThat(store.update(never, EnumSet.allOf(JobStatus.class))).isFalse();
        assertThat(store.find(never.id())).isEmpty();
        assertThat(rawItem("JOB#" + never.id().value())).isNullOrEmpty();
    }

    @Test
    void anItemWrittenBeforeRunsReadsAsOneRunOfItsValue() {
        Job job = newJob().advancedTo(JobStatus.RUNNING, clock).succeeded(0.5, Map.of("loss", 2.0), clock.plusSeconds(1));
        store.create(job, Optional.empty());
        String pk = "JOB#" + job.id().value();
        assertThat(rawItem(pk).get("runs").s()).contains("\"requested\":1");
        // What the perfbox before repeated runs wrote: the same item without "runs".
        client.updateItem(b -> b.tableName(table).key(Map.of(JobTable.PK, AttributeValue.fromS(pk)))
                .updateExpression("REMOVE runs"));

        Job read = store.find(job.id()).orElseThrow();
        assertThat(read).isEqualTo(job);
        assertThat(read.runs().completed()).containsExactly(
                new Runs.Run(1, 0.5, Map.of("loss", 2.0), null));
    }

    // ---- the idempotency transaction ----

    @Test
    void createWithAKeyWritesTheJobAndItsRecordTogether() {
        Job job = newJob();

        store.create(job, Optional.of(new IdempotencyKey("key-a", "fp-1")));

        Map<String, AttributeValue> record = rawItem("IDEM#" + owner + "#key-a");
        assertThat(record.get("jobId").s()).isEqualTo(job.id().value());
        assertThat(record.get("fingerprint").s()).isEqualTo("fp-1");
        assertThat(store.find(job.id())).contains(job);
    }

    @Test
    void conflictingKeyLeavesNeitherASecondJobNorAChangedRecord() {
        Job first = newJob();
        Job second = newJob();
        store.create(first, Optional.of(new IdempotencyKey("key-b", "fp-1")));

        assertThatThrownBy(() -> store.create(second, Optional.of(new IdempotencyKey("key-b", "fp-2"))))
                .isInstanceOf(JobStore.IdempotencyConflictException.class);

        assertThat(store.find(second.id())).isEmpty();
        assertThat(rawItem("IDEM#" + owner + "#key-b").get("fingerprint").s()).isEqualTo("fp-1");
    }

    @Test
    void keyOfADeletedJobIsFreeAgain() {
        Job first = newJob();
        store.create(first, Optional.of(new IdempotencyKey("key-c", "fp-1")));
        store.delete(first.id());
        Job again = newJob();

        JobStore.CreateResult result = store.create(again, Optional.of(new IdempotencyKey("key-c", "fp-1")));

        assertThat(result.created()).isTrue();
        assertThat(result.job()).isEqualTo(again);
        assertThat(rawItem("IDEM#" + owner + "#key-c").get("jobId").s()).isEqualTo(again.id().value());
    }

    @Test
    void jobWhoseIdIsTakenIsNotStoredUnderItsKeyEither() {
        Job first = newJob();
        store.create(first, Optional.empty());

        assertThatThrownBy(() -> store.create(first, Optional.of(new IdempotencyKey("key-d", "fp"))))
                .isInstanceOf(RuntimeException.class);

        assertThat(rawItem("IDEM#" + owner + "#key-d")).isNullOrEmpty();
    }

    @Test
    void idempotencyRecordsNeverShowInListingsOrRecovery() {
        Job job = newJob();
        store.create(job, Optional.of(new IdempotencyKey("key-e", "fp")));

        assertThat(store.list(owner, Optional.empty(), 10, Optional.empty()).jobs()).containsExactly(job);
        assertThat(store.findUnfinished()).containsExactly(job);
    }

    // ---- byOwner index pages ----

    private List<Job> created(int count) {
        List<Job> newestFirst = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Job job = newJob();
            store.create(job, Optional.empty());
            newestFirst.add(0, job);
        }
        return newestFirst;
    }

    private List<Job> allPages(Optional<JobStatus> status, int limit) {
        List<Job> seen = new ArrayList<>();
        Optional<String> token = Optional.empty();
        int pages = 0;
        do {
            JobStore.JobPage page = store.list(owner, status, limit, token);
            assertThat(page.jobs()).hasSizeLessThanOrEqualTo(limit);
            if (page.nextToken().isPresent()) {
                assertThat(page.jobs()).as("a page with a next token is full").hasSize(limit);
            }
            seen.addAll(page.jobs());
            token = page.nextToken();
            assertThat(++pages).as("pages").isLessThan(100);
        } while (token.isPresent());
        return seen;
    }

    @Test
    void manyJobsArePagedNewestFirstEachExactlyOnce() {
        List<Job> newestFirst = created(53);

        assertThat(allPages(Optional.empty(), 10)).containsExactlyElementsOf(newestFirst);
        assertThat(allPages(Optional.empty(), 53)).containsExactlyElementsOf(newestFirst);
        assertThat(allPages(Optional.empty(), 100)).containsExactlyElementsOf(newestFirst);
    }

    @Test
    void statusFilterFillsEveryPageFromAFewMatchesAmongMany() {
        List<Job> newestFirst = created(40);
        List<Job> succeeded = new ArrayList<>();
        for (int i = 0; i < newestFirst.size(); i += 7) {
            Job done = newestFirst.get(i).succeeded(0.5, clock.plusSeconds(100));
            store.update(done, EnumSet.of(JobStatus.QUEUED));
            succeeded.add(done);
        }

        assertThat(allPages(Optional.of(JobStatus.SUCCEEDED), 2)).containsExactlyElementsOf(succeeded);
        assertThat(allPages(Optional.of(JobStatus.CANCELLED), 5)).isEmpty();
        assertThat(allPages(Optional.of(JobStatus.QUEUED), 8)).hasSize(newestFirst.size() - succeeded.size());
    }

    // ---- retention: the table's TTL (expiresAt, epoch seconds) ----

    private static long expiresAt(Map<String, AttributeValue> item) {
        assertThat(item).containsKey(JobTable.EXPIRES_AT);
        // A number, as DynamoDB's TTL reads only a Number of epoch seconds.
        assertThat(item.get(JobTable.EXPIRES_AT).n()).as("a Number attribute").matches("[0-9]{10}");
        return Long.parseLong(item.get(JobTable.EXPIRES_AT).n());
    }

    /** The job moved through RUNNING and ended as {@code end} makes it, at {@code at}, written as the lifecycle writes. */
    private Job finished(DynamoDbJobStore in, Job queued, BiFunction<Job, Instant, Job> end, Instant at) {
        Job running = queued.advancedTo(JobStatus.RUNNING, at.minusSeconds(60));
        assertThat(in.update(running, EnumSet.of(JobStatus.QUEUED))).isTrue();
        Job ended = end.apply(running, at);
        assertThat(in.update(ended, EnumSet.of(JobStatus.RUNNING))).isTrue();
        return ended;
    }

    @Test
    void aFinishedJobExpiresThirtyDaysAfterItsEndAndAJobUnderWayNever() {
        Job job = newJob();
        store.create(job, Optional.empty());
        assertThat(rawItem("JOB#" + job.id().value())).doesNotContainKey(JobTable.EXPIRES_AT);
        store.update(job.advancedTo(JobStatus.BUILDING, clock), EnumSet.of(JobStatus.QUEUED));
        assertThat(rawItem("JOB#" + job.id().value())).doesNotContainKey(JobTable.EXPIRES_AT);

        Instant end = clock.plusSeconds(3600);
        Job running = job.advancedTo(JobStatus.BUILDING, clock).advancedTo(JobStatus.RUNNING, clock.plusSeconds(60));
        assertThat(store.update(running, EnumSet.of(JobStatus.BUILDING))).isTrue();
        assertThat(rawItem("JOB#" + job.id().value())).doesNotContainKey(JobTable.EXPIRES_AT);
        assertThat(store.update(running.succeeded(0.5, end), EnumSet.of(JobStatus.RUNNING))).isTrue();

        assertThat(expiresAt(rawItem("JOB#" + job.id().value())))
                .isEqualTo(end.plus(Duration.ofDays(30)).getEpochSecond());
        // The store reads the job as before.
        assertThat(store.find(job.id()).orElseThrow().status()).isEqualTo(JobStatus.SUCCEEDED);
    }

    @Test
    void theRetentionIsTheStoresOwnAndCountsFromTheEndOfEveryKindOfEnding() {
        DynamoDbJobStore weekly = new DynamoDbJobStore(client, table, Duration.ofDays(7));
        Instant end = clock.plusSeconds(7200);
        Job failed = newJob();
        weekly.create(failed, Optional.empty());
        finished(weekly, failed, (j, at) -> j.failed(Failure.of(
                FailureCode.RUN_FAILED, "exited with 1"), at), end);
        Job cancelled = newJob();
        weekly.create(cancelled, Optional.empty());
        weekly.update(cancelled.cancelled(end), EnumSet.of(JobStatus.QUEUED));

        long week = end.plus(Duration.ofDays(7)).getEpochSecond();
        assertThat(expiresAt(rawItem("JOB#" + failed.id().value()))).isEqualTo(week);
        assertThat(expiresAt(rawItem("JOB#" + cancelled.id().value()))).isEqualTo(week);
    }

    @Test
    void aJobThePlatformFailedExpiresLikeAnyWhileItsSubmissionKeepsItsOwnExpiry() {
        Job job = newJob();
        store.create(job, Optional.empty());
        Instant end = clock.plusSeconds(600);
        finished(store, job, (j, at) -> j.failed(Failure.of(
                FailureCode.PLATFORM_FAILURE, "no capacity"), at), end);

        assertThat(expiresAt(rawItem("JOB#" + job.id().value())))
                .isEqualTo(end.plus(Duration.ofDays(30)).getEpochSecond());
        // The submission's item, re-put in the same transaction, keeps the 48 hours from the submission.
        assertThat(expiresAt(rawItem("SUB#" + job.id().value())))
                .isEqualTo(job.createdAt().plus(TenantUsage.RETENTION).getEpochSecond());
    }

    @Test
    void aFinishedJobsExpiryLetsNoTenantOutOfItsDailyCount() {
        Job job = newJob();
        store.create(job, Optional.empty());
        finished(store, job, (j, at) -> j.succeeded(1.0, at), clock.plusSeconds(60));
        // The TTL deleting the job's item (as DynamoDB will, from its expiresAt) leaves its submission counted: the
        // count reads the submission's own item, which expires only after the 24 hours it counts in.
        client.deleteItem(b -> b.tableName(table).key(Map.of(JobTable.PK, AttributeValue.fromS("JOB#" + job.id().value()))));

        assertThat(store.submissionsSince(owner, job.createdAt().minusSeconds(1)).count()).isEqualTo(1);
        assertThat(expiresAt(rawItem("SUB#" + job.id().value())))
                .isEqualTo(job.createdAt().plus(TenantUsage.RETENTION).getEpochSecond());
    }

    @Test
    void anIdempotencyRecordExpiresTheRetentionAfterItsSubmission() {
        Job job = newJob();
        store.create(job, Optional.of(new IdempotencyKey("key-ttl", "fp-1")));

        assertThat(expiresAt(rawItem("IDEM#" + owner + "#key-ttl")))
                .isEqualTo(job.createdAt().plus(Duration.ofDays(30)).getEpochSecond());
    }

    @Test
    void aRetentionUnderADayIsRefused() {
        assertThatThrownBy(() -> new DynamoDbJobStore(client, table, Duration.ofHours(23)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least a day");
    }
}
