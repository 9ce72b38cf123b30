package io.perfbox.adapter.aws.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.port.ApiKeyStore;
import io.perfbox.core.port.ApiKeyStore.StoredKey;
import io.perfbox.testing.aws.Moto;
import io.perfbox.testing.contract.ApiKeyStoreContract;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The DynamoDB key store against moto (server mode), held to the contract every ApiKeyStore meets. */
class DynamoDbApiKeyStoreIT extends ApiKeyStoreContract {
    private static DynamoDbClient client;
    private DynamoDbApiKeyStore store;

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
        String table = "keys-" + UUID.randomUUID();
        ApiKeyTable.createIfMissing(client, table);
        store = new DynamoDbApiKeyStore(client, table);
    }

    @Override
    protected ApiKeyStore store() {
        return store;
    }

    @Test
    void theSequenceCounterIsNeitherListedNorFoundNorRevocable() {
        store.add(new StoredKey("0123456789ab", "acme", new byte[] {1}, Instant.EPOCH, Optional.empty()));
        assertThat(store.list()).extracting(StoredKey::id).containsExactly("0123456789ab");
        assertThat(store.find("#counter")).isEmpty();
        assertThat(store.revoke("#counter", Instant.EPOCH)).isFalse();
    }
}
