package io.perfbox.testing.fakes;

import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.ImageBuilder;
import io.perfbox.testing.contract.ImageBuilderContract;

class SimulatedImageBuilderTest extends ImageBuilderContract {
    private final SimulatedImageBuilder builder = new SimulatedImageBuilder();

    @Override
    protected ImageBuilder builder() {
        return builder;
    }

    @Override
    protected boolean imageExists(JobId id) {
        return builder.exists(id);
    }
}
