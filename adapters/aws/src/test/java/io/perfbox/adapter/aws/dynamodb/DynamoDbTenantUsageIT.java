package io.perfbox.adapter.aws.dynamodb;

import io.perfbox.core.port.JobStore;
import io.perfbox.core.port.TenantUsage;
import io.perfbox.testing.aws.Moto;
import io.perfbox.testing.contract.TenantUsageContract;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The DynamoDB job store's TenantUsage (the byUsage index) against moto (server mode), held to the contract. */
class DynamoDbTenantUsageIT extends TenantUsageContract {
    private static DynamoDbClient client;
    private DynamoDbJobStore store;

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
        String table = "jobs-" + UUID.randomUUID();
        JobTable.createIfMissing(client, table);
        store = new DynamoDbJobStore(client, table);
    }

    @Override
    protected JobStore jobs() {
        return store;
    }

    @Override
    protected TenantUsage usage() {
        return store;
    }
}
