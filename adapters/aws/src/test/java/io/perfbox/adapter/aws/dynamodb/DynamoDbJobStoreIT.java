package io.perfbox.adapter.aws.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.port.JobStore;
import io.perfbox.core.port.JobStore.IdempotencyKey;
import io.perfbox.core.port.JobStore.InvalidPageTokenException;
import io.perfbox.testing.aws.Moto;
import io.perfbox.testing.contract.JobStoreContract;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
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

    @Test
    void anItemStoredCancelledWithTheOldCodeInterruptedReadsAsCancelled() {
        Job job = newJob();
        store.create(job, Optional.empty());
        assertThat(store.update(job.cancelled(clock.plusSeconds(1)), EnumSet.of(JobStatus.QUEUED))).isTrue();
        // What a deployment from before the failure code CANCELLED wrote for a cancel.
        Map<String, AttributeValue> old = new java.util.HashMap<>(rawItem("JOB#" + job.id().value()));
        assertThat(old.get("failureCode").s()).isEqualTo("CANCELLED");
        old.put("failureCode", AttributeValue.fromS("INTERRUPTED"));
        client.putItem(b -> b.tableName(table).item(old));

        Job read = store.find(job.id()).orElseThrow();
        assertThat(read.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(read.failure().code()).isEqualTo(io.perfbox.core.domain.FailureCode.CANCELLED);
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
                new io.perfbox.core.domain.Runs.Run(1, 0.5, Map.of("loss", 2.0), null));
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

    @Test
    void tokenOfAnotherOwnerIsRejected() {
        created(3);
        String token = store.list(owner, Optional.empty(), 1, Optional.empty()).nextToken().orElseThrow();

        assertThatThrownBy(() -> store.list("mallory", Optional.empty(), 1, Optional.of(token)))
                .isInstanceOf(InvalidPageTokenException.class);
    }

    @Test
    void tamperedTokensAreRejected() {
        created(3);
        String token = store.list(owner, Optional.empty(), 1, Optional.empty()).nextToken().orElseThrow();
        String json = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        String pointingAtARecord = Base64.getUrlEncoder().withoutPadding().encodeToString(
                json.replace("JOB#", "IDEM#").getBytes(StandardCharsets.UTF_8));

        for (String tampered : List.of(pointingAtARecord, token.substring(0, token.length() / 2), "not-base64!",
                Base64.getUrlEncoder().encodeToString("{}".getBytes(StandardCharsets.UTF_8)))) {
            assertThatThrownBy(() -> store.list(owner, Optional.empty(), 1, Optional.of(tampered)))
                    .as(tampered).isInstanceOf(InvalidPageTokenException.class);
        }
    }
}
