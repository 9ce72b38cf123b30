package io.perfbox.adapter.aws.dynamodb;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

/** Creating a table on demand, for the tables' own definitions ({@link JobTable}, {@link ApiKeyTable}). */
final class DynamoDbTables {
    private DynamoDbTables() {
    }

    /** Creates the table when it does not exist (one created concurrently is fine) and waits until it is active. */
    static void createIfMissing(DynamoDbClient client, CreateTableRequest table) {
        try {
            client.describeTable(b -> b.tableName(table.tableName()));
            return;
        } catch (ResourceNotFoundException e) {
            // create it below
        }
        try {
            client.createTable(table);
        } catch (ResourceInUseException e) {
            // created concurrently: fine
        }
        client.waiter().waitUntilTableExists(b -> b.tableName(table.tableName()));
    }
}
