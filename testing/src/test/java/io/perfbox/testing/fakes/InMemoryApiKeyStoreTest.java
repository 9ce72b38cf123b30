package io.perfbox.testing.fakes;

import io.perfbox.core.port.ApiKeyStore;
import io.perfbox.testing.contract.ApiKeyStoreContract;

/** The ApiKeyStore contract against the in-memory fake. */
class InMemoryApiKeyStoreTest extends ApiKeyStoreContract {
    private final InMemoryApiKeyStore store = new InMemoryApiKeyStore();

    @Override
    protected ApiKeyStore store() {
        return store;
    }
}
