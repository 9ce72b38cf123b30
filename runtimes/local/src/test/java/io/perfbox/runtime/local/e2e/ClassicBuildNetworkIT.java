package io.perfbox.runtime.local.e2e;

import io.perfbox.testing.docker.RequiresDocker;
import java.util.List;

/** The same confinement for the classic builder, whose steps run on a network of perfbox's own. */
@RequiresDocker
class ClassicBuildNetworkIT extends BuildNetworkIT {
    @Override
    protected List<String> builderOptions() {
        return List.of("--builder", "classic");
    }
}
