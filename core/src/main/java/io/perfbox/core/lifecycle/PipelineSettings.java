package io.perfbox.core.lifecycle;

import io.perfbox.core.domain.VulnerabilityPolicy;
import io.perfbox.core.port.ContainerRunner.RunLimits;
import java.time.Duration;
import java.util.Objects;

/** How every job's pipeline is bounded and judged. */
public record PipelineSettings(Duration buildTimeout, RunLimits runLimits, VulnerabilityPolicy policy) {
    public PipelineSettings {
        Objects.requireNonNull(buildTimeout, "buildTimeout");
        Objects.requireNonNull(runLimits, "runLimits");
        Objects.requireNonNull(policy, "policy");
        if (buildTimeout.isNegative() || buildTimeout.isZero()) {
            throw new IllegalArgumentException("build timeout must be positive");
        }
    }
}
