package io.perfbox.local.dynamodb;

import io.perfbox.aws.dynamodb.DynamoDbJobStore;
import io.perfbox.aws.dynamodb.JobTable;
import io.perfbox.core.contract.JobStoreContract;
import io.perfbox.core.port.JobStore;
import io.perfbox.local.runtime.CachedJobStore;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** The local server's job store (the cache in front of DynamoDB Local) is held to the contract of every JobStore. */
class CachedDynamoDbJobStoreIT extends JobStoreContract {
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
        store = new CachedJobStore(new DynamoDbJobStore(dynamo.client(), table), 4);
    }

    @Override
    protected JobStore store() {
        return store;
    }
}
