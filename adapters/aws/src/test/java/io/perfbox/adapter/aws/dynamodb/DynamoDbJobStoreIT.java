package io.perfbox.adapter.aws.dynamodb;

import io.perfbox.runtime.local.dynamodb.EmbeddedDynamoDb;

import io.perfbox.adapter.aws.dynamodb.DynamoDbJobStore;
import io.perfbox.adapter.aws.dynamodb.JobTable;
import io.perfbox.testing.contract.JobStoreContract;
import io.perfbox.core.port.JobStore;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** The production DynamoDB adapter against DynamoDB Local, held to the same contract as every JobStore. */
class DynamoDbJobStoreIT extends JobStoreContract {
    private static EmbeddedDynamoDb dynamo;
    private JobStore store;

    @BeforeAll
    static void startDynamoDbLocal() {
        dynamo = EmbeddedDynamoDb.startInMemory();
    }

    @AfterAll
    static void stop() {
        if (dynamo != null) {
            dynamo.close();
        }
    }

    @BeforeEach
    void freshTable() {
        String table = "jobs-" + UUID.randomUUID();
        JobTable.createIfMissing(dynamo.client(), table);
        store = storeOn(new DynamoDbJobStore(dynamo.client(), table));
    }

    /** The store under test over the adapter (subclasses: what the local server puts in front of it). */
    protected JobStore storeOn(DynamoDbJobStore adapter) {
        return adapter;
    }

    @Override
    protected JobStore store() {
        return store;
    }
}
