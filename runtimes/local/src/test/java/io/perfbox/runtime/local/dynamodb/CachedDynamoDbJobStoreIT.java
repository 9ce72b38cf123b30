package io.perfbox.runtime.local.dynamodb;

import io.perfbox.adapter.aws.dynamodb.DynamoDbJobStoreIT;

import io.perfbox.adapter.aws.dynamodb.DynamoDbJobStore;
import io.perfbox.core.port.JobStore;
import io.perfbox.runtime.local.runtime.CachedJobStore;

/** The local server's job store (the cache in front of DynamoDB Local) is held to the contract of every JobStore. */
class CachedDynamoDbJobStoreIT extends DynamoDbJobStoreIT {

    @Override
    protected JobStore storeOn(DynamoDbJobStore adapter) {
        return new CachedJobStore(adapter, 4);
    }
}
