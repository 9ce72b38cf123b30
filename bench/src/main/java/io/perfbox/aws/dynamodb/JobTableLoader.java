package io.perfbox.aws.dynamodb;

import io.perfbox.adapter.aws.dynamodb.DynamoDbJobStore;

import io.perfbox.core.domain.Job;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Fills a jobs table fast for the listing benchmark: BatchWriteItem (25 items a request) with items made by
 * {@link DynamoDbJobStore}'s own mapping, so they are exactly what the store writes and lists. It lives in the
 * store's package (in the bench module only) to use that mapping rather than a copy that could drift.
 */
public final class JobTableLoader {
    private static final int BATCH = 25;

    private final DynamoDbClient client;
    private final String table;

    public JobTableLoader(DynamoDbClient client, String table) {
        this.client = client;
        this.table = table;
    }

    /** Writes the jobs; retries whatever the engine hands back unprocessed. */
    public void write(List<Job> jobs) {
        for (int from = 0; from < jobs.size(); from += BATCH) {
            List<WriteRequest> batch = new ArrayList<>(BATCH);
            for (Job job : jobs.subList(from, Math.min(jobs.size(), from + BATCH))) {
                batch.add(WriteRequest.builder().putRequest(PutRequest.builder().item(DynamoDbJobStore.toItem(job)).build())
                        .build());
            }
            Map<String, List<WriteRequest>> pending = new HashMap<>(Map.of(table, batch));
            while (!pending.isEmpty()) {
                Map<String, List<WriteRequest>> request = pending;
                BatchWriteItemResponse response = client.batchWriteItem(b -> b.requestItems(request));
                pending = response.hasUnprocessedItems() ? new HashMap<>(response.unprocessedItems()) : Map.of();
                pending.values().removeIf(List::isEmpty);
            }
        }
    }
}
