package io.perfbox.adapter.aws.dynamodb;

import static io.perfbox.adapter.aws.dynamodb.JobTable.ACTIVE;
import static io.perfbox.adapter.aws.dynamodb.JobTable.ACTIVE_KEY;
import static io.perfbox.adapter.aws.dynamodb.JobTable.BY_ACTIVE;
import static io.perfbox.adapter.aws.dynamodb.JobTable.BY_OWNER;
import static io.perfbox.adapter.aws.dynamodb.JobTable.BY_USAGE;
import static io.perfbox.adapter.aws.dynamodb.JobTable.CREATED_KEY;
import static io.perfbox.adapter.aws.dynamodb.JobTable.EXPIRES_AT;
import static io.perfbox.adapter.aws.dynamodb.JobTable.OWNER;
import static io.perfbox.adapter.aws.dynamodb.JobTable.PK;
import static io.perfbox.adapter.aws.dynamodb.JobTable.USAGE_KEY;

import io.perfbox.core.domain.Failure;
import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.domain.RunReceipt;
import io.perfbox.core.domain.Runs;
import io.perfbox.core.domain.Severity;
import io.perfbox.core.domain.StageTimes;
import io.perfbox.core.domain.VulnerabilityCounts;
import io.perfbox.core.port.JobStore;
import io.perfbox.core.port.PagePosition;
import io.perfbox.core.port.TenantUsage;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.Select;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * {@link JobStore} on DynamoDB (see {@link JobTable} for the key design). Every status change is conditional.
 * A job's metrics are a map attribute of decimal strings (every double round-trips). The leaderboard and the history are JobStore's defaults: pages of
 * the owner's jobs through {@code byOwner} filtered to SUCCEEDED, linear in the owner's jobs (no index can rank by a
 * metric whose name the customer chooses); see docs/aws.md.
 *
 * <p>{@link TenantUsage}: the job's submission is put in the job's own create transaction and re-put without its
 * index key in the transaction of the write that fails the job through a platform fault; both counts are
 * {@code Select COUNT} queries of the sparse {@code byUsage} index (see {@link JobTable}). A GSI is eventually
 * consistent (DynamoDB developer guide, HowItWorks.ReadConsistency: "All reads from GSIs and streams are eventually
 * consistent"; AWS re:Post knowledge-center/dynamodb-missing-table-items-gsi: writes propagate to a GSI within about a
 * second, longer under load), so submits racing within that lag can each see the count before the others:
 * a burst may pass a cap by the submits made during the lag, and a job that just ended may count a moment longer.
 */
public class DynamoDbJobStore implements JobStore, TenantUsage {
    /** Fixed width so that string order is time order. */
    private static final DateTimeFormatter SORTABLE = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'")
            .withZone(ZoneOffset.UTC);

    /**
     * How long a finished job is kept, from its end, by default: as the local runtime's --retain-days (30). The
     * table's TTL ({@link JobTable#EXPIRES_AT}) then deletes its item; its artifacts expire by the bucket's rules.
     */
    public static final Duration DEFAULT_RETAIN_FINISHED = Duration.ofDays(30);

    private final DynamoDbClient client;
    private final String table;
    private final Duration retainFinished;

    public DynamoDbJobStore(DynamoDbClient client, String table) {
        this(client, table, DEFAULT_RETAIN_FINISHED);
    }

    /**
     * retainFinished: how long a finished job's item is kept after its end (its {@code expiresAt}); an idempotency
     * record is kept as long after its job's submission. At least a day, so that nothing of a job leaves the table
     * before the 24 hours its submission counts in (the submission's own item counts it: {@link #RETENTION}).
     */
    public DynamoDbJobStore(DynamoDbClient client, String table, Duration retainFinished) {
        if (retainFinished == null || retainFinished.compareTo(Duration.ofDays(1)) < 0) {
            throw new IllegalArgumentException("a finished job must be kept at least a day, not " + retainFinished);
        }
        this.client = client;
        this.table = table;
        this.retainFinished = retainFinished;
    }

    /**
     * The job's item: {@link #toItem}, and once the job ended its {@code expiresAt} (epoch seconds), its end plus the
     * retention, for the table's TTL. An active job carries none, so nothing under way expires; a job's quota
     * counts never read its item once it ended (the jobs under way are the items with {@code usageKey}, which the
     * terminal write drops; the submissions are their own items, which keep their own expiry).
     */
    Map<String, AttributeValue> item(Job job) {
        Map<String, AttributeValue> item = toItem(job);
        if (job.status().isTerminal()) {
            Instant ended = job.stages().finishedAt() != null ? job.stages().finishedAt() : job.updatedAt();
            item.put(EXPIRES_AT, AttributeValue.fromN(Long.toString(ended.plus(retainFinished).getEpochSecond())));
        }
        return item;
    }

    /** The job's {@code createdKey}: its submission time, fixed width, then its id (string order is time order). */
    static String createdKey(Job job) {
        return PagePosition.after(job).sortKey();
    }

    private static String jobKey(JobId id) {
        return "JOB#" + id.value();
    }

    private static String idempotencyKey(String owner, String key) {
        return "IDEM#" + owner + "#" + key;
    }

    @Override
    public CreateResult create(Job job, Optional<IdempotencyKey> key) {
        Put putJob = Put.builder().tableName(table).item(item(job))
                .conditionExpression("attribute_not_exists(pk)").build();
        TransactWriteItem putSubmission = TransactWriteItem.builder().put(Put.builder().tableName(table)
                .item(submissionItem(job, true)).build()).build();
        if (key.isEmpty()) {
            try {
                client.transactWriteItems(b -> b.transactItems(TransactWriteItem.builder().put(putJob).build(),
                        putSubmission));
            } catch (TransactionCanceledException e) {
                if (firstConditionFailed(e)) {
                    // As a single conditional put answers: the id is taken.
                    throw ConditionalCheckFailedException.builder().message("job " + job.id() + " exists").build();
                }
                throw e;
            }
            return new CreateResult(job, true);
        }
        String recordKey = idempotencyKey(job.owner(), key.get().key());
        // Kept as long after the submission as a finished job after its end, then the table's TTL deletes it (a
        // retried submit after that is a new submission).
        Map<String, AttributeValue> record = Map.of(
                PK, s(recordKey),
                "jobId", s(job.id().value()),
                "fingerprint", s(key.get().requestFingerprint()),
                EXPIRES_AT, AttributeValue.fromN(Long.toString(job.createdAt().plus(retainFinished).getEpochSecond())));
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                client.transactWriteItems(b -> b.transactItems(
                        TransactWriteItem.builder().put(Put.builder().tableName(table).item(record)
                                .conditionExpression("attribute_not_exists(pk)").build()).build(),
                        TransactWriteItem.builder().put(putJob).build(), putSubmission));
                return new CreateResult(job, true);
            } catch (TransactionCanceledException e) {
                if (!firstConditionFailed(e)) {
                    throw e;
                }
            }
            Map<String, AttributeValue> existing = client.getItem(b -> b.tableName(table).key(Map.of(PK, s(recordKey)))
                    .consistentRead(true)).item();
            if (existing == null || existing.isEmpty()) {
                continue;
            }
            if (!existing.get("fingerprint").s().equals(key.get().requestFingerprint())) {
                throw new IdempotencyConflictException(key.get().key());
            }
            Optional<Job> earlier = find(new JobId(existing.get("jobId").s()));
            if (earlier.isPresent()) {
                return new CreateResult(earlier.get(), false);
            }
            // The earlier job was deleted: the key is free again.
            client.deleteItem(b -> b.tableName(table).key(Map.of(PK, s(recordKey)))
                    .conditionExpression("jobId = :j").expressionAttributeValues(Map.of(":j", existing.get("jobId"))));
        }
        throw new IllegalStateException("could not store the job under Idempotency-Key " + key.get().key());
    }

    private static boolean firstConditionFailed(TransactionCanceledException e) {
        List<CancellationReason> reasons = e.cancellationReasons();
        return reasons != null && !reasons.isEmpty() && "ConditionalCheckFailed".equals(reasons.get(0).code());
    }

    @Override
    public Optional<Job> find(JobId id) {
        Map<String, AttributeValue> item = client.getItem(b -> b.tableName(table).key(Map.of(PK, s(jobKey(id))))
                .consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(fromItem(item));
    }

    @Override
    public boolean update(Job updated, Set<JobStatus> expected) {
        if (expected.isEmpty()) {
            return false;
        }
        Map<String, AttributeValue> values = new HashMap<>();
        List<String> placeholders = new ArrayList<>();
        int i = 0;
        for (JobStatus status : expected) {
            values.put(":s" + i, s(status.name()));
            placeholders.add(":s" + i);
            i++;
        }
        String condition = "attribute_exists(pk) AND #status IN (" + String.join(", ", placeholders) + ")";
        if (updated.failedThroughPlatformFault()) {
            // The failure and its submission's leaving the count, in one transaction.
            try {
                client.transactWriteItems(b -> b.transactItems(
                        TransactWriteItem.builder().put(Put.builder().tableName(table).item(item(updated))
                                .conditionExpression(condition).expressionAttributeNames(Map.of("#status", "status"))
                                .expressionAttributeValues(values).build()).build(),
                        TransactWriteItem.builder().put(Put.builder().tableName(table)
                                .item(submissionItem(updated, false)).build()).build()));
                return true;
            } catch (TransactionCanceledException e) {
                if (firstConditionFailed(e)) {
                    return false;
                }
                throw e;
            }
        }
        try {
            client.putItem(b -> b.tableName(table).item(item(updated))
                    .conditionExpression(condition)
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(values));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public JobPage list(String owner, Optional<JobStatus> status, int limit, Optional<String> pageToken) {
        // A client's position is a bound on the index's range key (jobs created before it), a key condition, not an
        // ExclusiveStartKey: DynamoDB documents the key condition for any value, and the start key only as a
        // LastEvaluatedKey handed back, which is all this loop passes in.
        Optional<String> before = pageToken.map(t -> PagePosition.parse(t).sortKey());
        Map<String, String> names = new HashMap<>(Map.of("#owner", OWNER));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":owner", s(owner)));
        String keyCondition = "#owner = :owner";
        if (before.isPresent()) {
            keyCondition += " AND #created < :before";
            names.put("#created", CREATED_KEY);
            values.put(":before", s(before.get()));
        }
        if (status.isPresent()) {
            names.put("#status", "status");
            values.put(":status", s(status.get().name()));
        }
        List<Job> page = new ArrayList<>();
        Map<String, AttributeValue> lastReturned = null;
        Map<String, AttributeValue> start = null;
        boolean more = true;
        while (page.size() < limit && more) {
            // One extra item tells whether another page exists, so the last page carries no token.
            QueryRequest.Builder q = QueryRequest.builder().tableName(table).indexName(BY_OWNER)
                    .keyConditionExpression(keyCondition)
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(values)
                    .scanIndexForward(false)
                    .limit(limit - page.size() + 1)
                    .exclusiveStartKey(start);
            if (status.isPresent()) {
                q.filterExpression("#status = :status");
            }
            QueryResponse res = client.query(q.build());
            for (Map<String, AttributeValue> item : res.items()) {
                if (page.size() == limit) {
                    return new JobPage(page, Optional.of(token(lastReturned)));
                }
                page.add(fromItem(item));
                lastReturned = item;
            }
            more = res.hasLastEvaluatedKey() && !res.lastEvaluatedKey().isEmpty();
            start = more ? res.lastEvaluatedKey() : null;
        }
        if (page.size() == limit && more) {
            // The page is full and the index is not exhausted; there may be more (a final empty page is possible).
            return new JobPage(page, Optional.of(token(lastReturned)));
        }
        return new JobPage(page, Optional.empty());
    }

    /** The next page's token: the position of the page's last job ({@link PagePosition}). */
    private static String token(Map<String, AttributeValue> item) {
        return PagePosition.ofSortKey(item.get(CREATED_KEY).s()).token();
    }

    /**
     * The jobs in the sparse {@code byActive} index, oldest first. The index is eventually consistent: a job that just
     * ended may still be listed, so a caller re-reads a job (consistently) before acting on it, as the lifecycle does.
     */
    @Override
    public List<Job> findUnfinished() {
        List<Job> out = new ArrayList<>();
        QueryRequest query = QueryRequest.builder().tableName(table).indexName(BY_ACTIVE)
                .keyConditionExpression("#active = :active")
                .expressionAttributeNames(Map.of("#active", ACTIVE_KEY))
                .expressionAttributeValues(Map.of(":active", s(ACTIVE)))
                .build();
        client.queryPaginator(query).items().forEach(item -> {
            Job job = fromItem(item);
            if (!job.status().isTerminal()) {
                out.add(job);
            }
        });
        return out;
    }

    @Override
    public boolean delete(JobId id) {
        Map<String, AttributeValue> old = client.deleteItem(b -> b.tableName(table).key(Map.of(PK, s(jobKey(id))))
                .returnValues(ReturnValue.ALL_OLD)).attributes();
        return old != null && !old.isEmpty();
    }

    // --- TenantUsage ---

    /** Below every createdKey (a key value may not be empty): every sortable time starts with a digit. */
    private static final String FROM_START = "0";

    private static String activeUsage(String owner) {
        return "ACTIVE#" + owner;
    }

    private static String submissionUsage(String owner) {
        return "SUB#" + owner;
    }

    /** A job's submission: counted (in the index) or not; it expires from the table after the retention. */
    static Map<String, AttributeValue> submissionItem(Job job, boolean counts) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(PK, s("SUB#" + job.id().value()));
        item.put(CREATED_KEY, s(createdKey(job)));
        item.put("createdAt", s(job.createdAt().toString()));
        item.put(EXPIRES_AT, AttributeValue.fromN(Long.toString(job.createdAt().plus(RETENTION).getEpochSecond())));
        if (counts) {
            item.put(USAGE_KEY, s(submissionUsage(job.owner())));
        }
        return item;
    }

    @Override
    public int countActive(String owner) {
        return count(activeUsage(owner), FROM_START);
    }

    @Override
    public Submissions submissionsSince(String owner, Instant since) {
        String usage = submissionUsage(owner);
        Optional<Instant> newest = edge(usage, FROM_START, false);
        if (newest.isEmpty()) {
            return new Submissions(0, Optional.empty());
        }
        // Submissions past the retention before the newest are dropped, as the TTL will drop them.
        Instant from = since.isBefore(newest.get().minus(RETENTION)) ? newest.get().minus(RETENTION) : since;
        String fromKey = SORTABLE.format(from);
        int count = count(usage, fromKey);
        return count == 0 ? new Submissions(0, Optional.empty()) : new Submissions(count, edge(usage, fromKey, true));
    }

    /** The items of the index's partition {@code usage} whose createdKey is at or after {@code fromKey}. */
    private int count(String usage, String fromKey) {
        int total = 0;
        Map<String, AttributeValue> start = null;
        do {
            QueryResponse res = client.query(usageQuery(usage, fromKey).select(Select.COUNT).exclusiveStartKey(start).build());
            total += res.count();
            start = res.hasLastEvaluatedKey() && !res.lastEvaluatedKey().isEmpty() ? res.lastEvaluatedKey() : null;
        } while (start != null);
        return total;
    }

    /** The creation time of the first (oldest, or newest) item of the partition from {@code fromKey} on. */
    private Optional<Instant> edge(String usage, String fromKey, boolean oldest) {
        QueryResponse res = client.query(usageQuery(usage, fromKey).scanIndexForward(oldest).limit(1).build());
        if (res.items().isEmpty()) {
            return Optional.empty();
        }
        String key = res.items().get(0).get(CREATED_KEY).s();
        return Optional.of(Instant.from(SORTABLE.parse(key.substring(0, key.indexOf('#')))));
    }

    private QueryRequest.Builder usageQuery(String usage, String fromKey) {
        return QueryRequest.builder().tableName(table).indexName(BY_USAGE)
                .keyConditionExpression("#usage = :usage AND #created >= :from")
                .expressionAttributeNames(Map.of("#usage", USAGE_KEY, "#created", CREATED_KEY))
                .expressionAttributeValues(Map.of(":usage", s(usage), ":from", s(fromKey)));
    }

    // --- mapping ---

    static Map<String, AttributeValue> toItem(Job job) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(PK, s(jobKey(job.id())));
        item.put("id", s(job.id().value()));
        item.put(OWNER, s(job.owner()));
        item.put(CREATED_KEY, s(createdKey(job)));
        item.put("status", s(job.status().name()));
        if (!job.status().isTerminal()) {
            item.put(ACTIVE_KEY, s(ACTIVE));
            item.put(USAGE_KEY, s(activeUsage(job.owner())));
        }
        putIfPresent(item, "name", job.name());
        putIfPresent(item, "description", job.description());
        if (job.failure() != null) {
            item.put("failureCode", s(job.failure().code().name()));
            item.put("failureMessage", s(job.failure().message()));
        }
        if (job.performance() != null) {
            item.put("performance", AttributeValue.fromN(Double.toString(job.performance())));
        }
        item.put("createdAt", s(job.createdAt().toString()));
        item.put("updatedAt", s(job.updatedAt().toString()));
        StageTimes st = job.stages();
        putIfPresent(item, "queuedAt", st.queuedAt());
        putIfPresent(item, "buildStartedAt", st.buildStartedAt());
        putIfPresent(item, "scanStartedAt", st.scanStartedAt());
        putIfPresent(item, "runStartedAt", st.runStartedAt());
        putIfPresent(item, "finishedAt", st.finishedAt());
        if (job.vulnerabilities() != null) {
            Map<String, AttributeValue> counts = new HashMap<>();
            job.vulnerabilities().bySeverity().forEach((sev, n) -> counts.put(sev.name(), AttributeValue.fromN(Integer.toString(n))));
            item.put("vulnerabilities", AttributeValue.fromM(counts));
        }
        if (!job.warnings().isEmpty()) {
            item.put("warnings", AttributeValue.fromL(job.warnings().stream().map(AttributeValue::fromS).toList()));
        }
        if (!job.metrics().isEmpty()) {
            Map<String, AttributeValue> metrics = new HashMap<>();
            // Strings, not numbers: a DynamoDB number holds magnitudes from 1e-130 to 1e126 only, a double more.
            job.metrics().forEach((name, value) -> metrics.put(name, AttributeValue.fromS(Double.toString(value))));
            item.put("metrics", AttributeValue.fromM(metrics));
        }
        if (job.receipt() != null) {
            // RunReceipt's own JSON codec, as the SQLite store keeps it: one schema for the receipt in every store.
            item.put("receipt", AttributeValue.fromS(job.receipt().toJson()));
        }
        // Runs' own JSON codec, as the SQLite store keeps them.
        item.put("runs", AttributeValue.fromS(job.runs().toJson()));
        return item;
    }

    static Job fromItem(Map<String, AttributeValue> item) {
        Failure failure = item.containsKey("failureCode")
                ? Failure.of(FailureCode.valueOf(item.get("failureCode").s()), str(item, "failureMessage"))
                : null;
        VulnerabilityCounts counts = null;
        if (item.containsKey("vulnerabilities")) {
            EnumMap<Severity, Integer> m = new EnumMap<>(Severity.class);
            item.get("vulnerabilities").m().forEach((k, v) -> m.put(Severity.valueOf(k), Integer.parseInt(v.n())));
            counts = new VulnerabilityCounts(m);
        }
        return new Job(
                new JobId(item.get("id").s()),
                item.get(OWNER).s(),
                str(item, "name"),
                str(item, "description"),
                JobStatus.valueOf(item.get("status").s()),
                failure,
                item.containsKey("performance") ? Double.valueOf(item.get("performance").n()) : null,
                Instant.parse(item.get("createdAt").s()),
                Instant.parse(item.get("updatedAt").s()),
                new StageTimes(instant(item, "queuedAt"), instant(item, "buildStartedAt"), instant(item, "scanStartedAt"),
                        instant(item, "runStartedAt"), instant(item, "finishedAt")),
                counts,
                item.containsKey("warnings") ? item.get("warnings").l().stream().map(AttributeValue::s).toList() : List.of(),
                metricsOf(item),
                // Items written before receipts have none; an unreadable one is no receipt (the job still answers).
                RunReceipt.fromJson(str(item, "receipt")).orElse(null),
                // Items written before runs have none: Job reads them as one run (of its value, if it succeeded).
                Runs.fromJson(str(item, "runs")).orElse(null));
    }

    private static Map<String, Double> metricsOf(Map<String, AttributeValue> item) {
        AttributeValue metrics = item.get("metrics");
        if (metrics == null) {
            return Map.of();
        }
        Map<String, Double> out = new HashMap<>();
        metrics.m().forEach((name, value) -> out.put(name, Double.valueOf(value.s())));
        return out;
    }

    private static AttributeValue s(String v) {
        return AttributeValue.fromS(v);
    }

    private static void putIfPresent(Map<String, AttributeValue> item, String name, Object value) {
        if (value != null) {
            item.put(name, s(value.toString()));
        }
    }

    private static String str(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null ? null : v.s();
    }

    private static Instant instant(Map<String, AttributeValue> item, String name) {
        String v = str(item, name);
        return v == null ? null : Instant.parse(v);
    }
}
