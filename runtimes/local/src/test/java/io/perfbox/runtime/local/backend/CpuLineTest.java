package io.perfbox.runtime.local.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.adapter.docker.CpuPool;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What serve's start-up message says of CPUs (README, CPUs). */
class CpuLineTest {

    @Test
    void enoughCpusSaysEachRunHoldsItsOwnAndWhatStaysShared() {
        assertThat(LocalEngineBackend.cpuLine(Optional.of(CpuPool.of("0-1")), 2, 1))
                .startsWith("CPUs: each run holds 1 of CPUs 0-1 of its own")
                .contains("builds and scans use the ones no run holds", "memory bandwidth and caches are shared");
    }

    @Test
    void tooFewCpusForEveryWorkerSaysWhatItCosts() {
        assertThat(LocalEngineBackend.cpuLine(Optional.of(CpuPool.of("0-1")), 4, 1))
                .startsWith("CPUs: 4 workers with --cpus 1 need 4 CPUs of their own")
                .contains("depends on its neighbours", "fewer --workers");
    }

    @Test
    void aHostThatNamesNoCpusSaysRunsShare() {
        assertThat(LocalEngineBackend.cpuLine(Optional.empty(), 2, 1)).contains("runs share CPUs");
    }
}
