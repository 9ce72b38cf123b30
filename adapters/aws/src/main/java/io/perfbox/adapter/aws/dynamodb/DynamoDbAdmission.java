package io.perfbox.adapter.aws.dynamodb;

import io.perfbox.adapter.aws.JobAdmissions;
import io.perfbox.adapter.aws.JobResourceInventory;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.port.JobStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Delete;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.Select;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * The global cap on jobs in flight, in the jobs table: a job's execution takes a slot before its job begins (the state
 * machine's Admit state, which waits and asks again while there is none) and gives it back when the job's workflow
 * ended, whichever way ({@link #release}: the CleanUp state, the execution-ended function, the reconciler's sweep).
 *
 * <p>Items, beside the jobs ({@link JobTable}):
 * <ul>
 *   <li>{@code pk = ADMISSION}: {@code held}, how many jobs hold a slot. A slot is taken only by a conditional write
 *       ({@code held < cap}) and given back only in the same transaction that deletes the job's HOLDING item below,
 *       so {@code held} is always the number of HOLDING items: never over the cap, never counted twice, never lost.</li>
 *   <li>{@code pk = ADMIT#<job id>}: {@code state} WAITING (the job waits for a slot) or HOLDING, with
 *       {@code usageKey} {@value #WAITING_KEY} or {@value #HOLDING_KEY} and the job's {@code createdKey}, so that the
 *       sparse, keys-only {@code byUsage} index lists the waiting jobs in submission order (and the holders for the
 *       sweep) without a scan. A job takes a free slot only when fewer jobs submitted before it wait than there are
 *       free slots: jobs start in submission order.</li>
 * </ul>
 * The index is eventually consistent: the order may be off for jobs submitted within its lag (about a second), and a
 * waiting job it still lists after it took its slot only delays the next one by a round. The cap itself is exact (it
 * is the conditional write's, on the base table). A waiting job listed ahead that is no longer QUEUED (its execution
 * ended while it waited) is released when it is found, so it cannot hold up the queue.
 */
public final class DynamoDbAdmission implements JobResourceInventory, JobAdmissions {
    static final String COUNTER = "ADMISSION";
    static final String PREFIX = "ADMIT#";
    public static final String WAITING_KEY = "ADMISSION#WAITING";
    public static final String HOLDING_KEY = "ADMISSION#HOLDING";
    private static final String WAITING = "WAITING";
    private static final String HOLDING = "HOLDING";
    private static final int ATTEMPTS = 5;

    private final DynamoDbClient client;
    private final String table;
    private final JobStore jobs;
    private final Clock clock;

    /**
     * @param jobs where the jobs' status and submission time are read (the job store of this table: its consistent
     *             GetItem)
     */
    public DynamoDbAdmission(DynamoDbClient client, String table, JobStore jobs, Clock clock) {
        this.client = client;
        this.table = table;
        this.jobs = jobs;
        this.clock = clock;
    }

    private boolean queued(JobId id) {
        return jobs.find(id).map(j -> j.status() == JobStatus.QUEUED).orElse(false);
    }

    /** What {@link #admit} decided. */
    public enum Decision {
        /** The job holds a slot: it may begin. */
        ADMITTED,
        /** No slot for it yet (none free, or jobs submitted before it wait for the free ones): ask again later. */
        WAIT,
        /** The job is not QUEUED (cancelled, deleted, or past its start): it takes no slot; Begin decides. */
        NOT_QUEUED
    }

    /**
     * Takes a slot for the job if one of the {@code cap} is free and no job submitted before it waits for it; else
     * registers it as waiting. Idempotent: a job that holds a slot is admitted again without taking another.
     */
    public Decision admit(JobId id, int cap) {
        if (cap < 1) {
            throw new IllegalArgumentException("the cap on jobs in flight is at least 1, not " + cap);
        }
        Map<String, AttributeValue> mine = get(admitKey(id));
        if (mine != null && HOLDING.equals(str(mine, "state"))) {
            return Decision.ADMITTED;
        }
        if (mine == null) {
            Optional<Job> job = jobs.find(id);
            if (job.isEmpty() || job.get().status() != JobStatus.QUEUED) {
                return Decision.NOT_QUEUED;
            }
            mine = waitingItem(id, DynamoDbJobStore.createdKey(job.get()));
            try {
                Map<String, AttributeValue> item = mine;
                client.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
            } catch (ConditionalCheckFailedException e) {
                return Decision.WAIT; // a concurrent try of the same state registered it: the next round goes on
            }
        }
        int free = cap - held();
        if (free <= 0) {
            return Decision.WAIT;
        }
        String createdKey = str(mine, JobTable.CREATED_KEY);
        List<JobId> ahead = waitingBefore(createdKey, free);
        if (ahead.size() >= free) {
            // Those ahead take the free slots first, unless their execution ended while they waited.
            int stale = 0;
            for (JobId other : ahead) {
                if (!queued(other)) {
                    release(other);
                    stale++;
                }
            }
            if (ahead.size() - stale >= free) {
                return Decision.WAIT;
            }
        }
        return take(id, cap) ? Decision.ADMITTED : Decision.WAIT;
    }

    /** Gives the job's slot back, or its place in the queue; nothing when it has neither. Idempotent. */
    @Override
    public void release(JobId id) {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Map<String, AttributeValue> mine = get(admitKey(id));
            if (mine == null) {
                return;
            }
            try {
                if (WAITING.equals(str(mine, "state"))) {
                    client.deleteItem(b -> b.tableName(table).key(key(admitKey(id)))
                            .conditionExpression("#state = :waiting")
                            .expressionAttributeNames(Map.of("#state", "state"))
                            .expressionAttributeValues(Map.of(":waiting", s(WAITING))));
                } else {
                    client.transactWriteItems(b -> b.transactItems(
                            TransactWriteItem.builder().update(Update.builder().tableName(table).key(key(COUNTER))
                                    .updateExpression("SET held = held - :one")
                                    .conditionExpression("held >= :one")
                                    .expressionAttributeValues(Map.of(":one", n(1))).build()).build(),
                            TransactWriteItem.builder().delete(Delete.builder().tableName(table).key(key(admitKey(id)))
                                    .conditionExpression("#state = :holding")
                                    .expressionAttributeNames(Map.of("#state", "state"))
                                    .expressionAttributeValues(Map.of(":holding", s(HOLDING))).build()).build()));
                }
                return;
            } catch (ConditionalCheckFailedException | TransactionCanceledException e) {
                // Its state changed meanwhile (it took a slot, or another release ran): read it again.
            }
        }
        throw new IllegalStateException("could not release the admission of job " + id + " after " + ATTEMPTS
                + " attempts (concurrent writes)");
    }

    /** How many jobs hold a slot now (a consistent read). */
    public int held() {
        Map<String, AttributeValue> counter = get(COUNTER);
        return counter == null || !counter.containsKey("held") ? 0 : Integer.parseInt(counter.get("held").n());
    }

    @Override
    public String kind() {
        return "admissions";
    }

    /** The jobs that hold a slot or wait for one (the index's two partitions), for the reconciler's sweep. */
    @Override
    public Set<JobId> holders() {
        Set<JobId> holders = new LinkedHashSet<>();
        for (String partition : List.of(HOLDING_KEY, WAITING_KEY)) {
            Map<String, AttributeValue> start = null;
            do {
                Map<String, AttributeValue> from = start;
                QueryResponse page = client.query(b -> b.tableName(table).indexName(JobTable.BY_USAGE)
                        .keyConditionExpression("usageKey = :p")
                        .expressionAttributeValues(Map.of(":p", s(partition)))
                        .exclusiveStartKey(from));
                page.items().forEach(item -> {
                    JobId id = JobResourceInventory.jobIdAfter(PREFIX, str(item, JobTable.PK));
                    if (id != null) {
                        holders.add(id);
                    }
                });
                start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
            } while (start != null);
        }
        return holders;
    }

    /** Up to {@code limit} waiting jobs submitted before {@code createdKey}, oldest first. */
    private List<JobId> waitingBefore(String createdKey, int limit) {
        List<JobId> ahead = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse page = client.query(b -> b.tableName(table).indexName(JobTable.BY_USAGE)
                    .keyConditionExpression("usageKey = :w AND createdKey < :mine")
                    .expressionAttributeValues(Map.of(":w", s(WAITING_KEY), ":mine", s(createdKey)))
                    .select(Select.ALL_PROJECTED_ATTRIBUTES)
                    .limit(limit - ahead.size())
                    .exclusiveStartKey(from));
            page.items().forEach(item -> {
                JobId id = JobResourceInventory.jobIdAfter(PREFIX, str(item, JobTable.PK));
                if (id != null) {
                    ahead.add(id);
                }
            });
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null && ahead.size() < limit);
        return ahead;
    }

    /** One slot, if {@code held < cap}, in the transaction that makes the job's item HOLDING. */
    private boolean take(JobId id, int cap) {
        try {
            client.transactWriteItems(b -> b.transactItems(
                    TransactWriteItem.builder().update(Update.builder().tableName(table).key(key(COUNTER))
                            .updateExpression("SET held = if_not_exists(held, :zero) + :one")
                            .conditionExpression("attribute_not_exists(held) OR held < :cap")
                            .expressionAttributeValues(Map.of(":zero", n(0), ":one", n(1), ":cap", n(cap)))
                            .build()).build(),
                    TransactWriteItem.builder().update(Update.builder().tableName(table).key(key(admitKey(id)))
                            .updateExpression("SET #state = :holding, usageKey = :holdingKey, since = :now")
                            .conditionExpression("#state = :waiting")
                            .expressionAttributeNames(Map.of("#state", "state"))
                            .expressionAttributeValues(Map.of(":holding", s(HOLDING), ":holdingKey", s(HOLDING_KEY),
                                    ":waiting", s(WAITING), ":now", s(clock.instant().toString())))
                            .build()).build()));
            return true;
        } catch (TransactionCanceledException e) {
            // The cap was reached meanwhile, or the job's item changed (released): wait for the next round.
            return false;
        }
    }

    private Map<String, AttributeValue> waitingItem(JobId id, String createdKey) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(JobTable.PK, s(admitKey(id)));
        item.put("state", s(WAITING));
        item.put(JobTable.USAGE_KEY, s(WAITING_KEY));
        item.put(JobTable.CREATED_KEY, s(createdKey));
        item.put("waitingSince", s(clock.instant().toString()));
        return item;
    }

    private Map<String, AttributeValue> get(String pk) {
        Map<String, AttributeValue> item = client.getItem(b -> b.tableName(table).key(key(pk)).consistentRead(true)).item();
        return item == null || item.isEmpty() ? null : item;
    }

    private static String admitKey(JobId id) {
        return PREFIX + id.value();
    }

    private static Map<String, AttributeValue> key(String pk) {
        return Map.of(JobTable.PK, s(pk));
    }

    private static String str(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null ? null : v.s();
    }

    private static AttributeValue s(String value) {
        return AttributeValue.builder().s(value).build();
    }

    private static AttributeValue n(int value) {
        return AttributeValue.builder().n(Integer.toString(value)).build();
    }
}
