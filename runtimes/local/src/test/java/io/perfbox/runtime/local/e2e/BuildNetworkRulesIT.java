package io.perfbox.runtime.local.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.testing.docker.RequiresDocker;
import io.perfbox.testing.trivy.RealTrivy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator's --build-allow and --build-deny, shown on a neighbour in a private range that builds may not reach
 * by default: a listener in a network namespace this test creates.
 */
@RequiresDocker
class BuildNetworkRulesIT {
    private static final Duration END = Duration.ofMinutes(4);
    private static NamespaceListener neighbour;

    @BeforeAll
    static void openNeighbour() throws Exception {
        neighbour = NamespaceListener.open();
    }

    @AfterAll
    static void closeNeighbour() throws Exception {
        if (neighbour != null) {
            neighbour.close();
        }
    }

    /** 1 when the build reached the neighbour. */
    private static double buildReachedTheNeighbour(String... options) throws Exception {
        Path dataDir = Path.of("target", "e2e", "buildrules-" + UUID.randomUUID()).toAbsolutePath();
        try (PerfboxProcess server = PerfboxProcess.start(dataDir, RealTrivy.with(options))) {
            Http http = new Http(server.baseUrl());
            JsonNode job = http.awaitEnd(http.submit("FROM debian:bookworm\n# " + UUID.randomUUID() + "\n"
                    + NamespaceListener.probeStep()
                    + "CMD echo \"{\\\"perf\\\":$(cat /reached)}\" > /data/perf.json\n"), END);
            assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("SUCCEEDED");
            return job.get("performance").asDouble();
        }
    }

    @Test
    void aPrivateNeighbourIsUnreachableByDefault() throws Exception {
        int before = neighbour.accepted();
        assertThat(buildReachedTheNeighbour()).isEqualTo(0.0);
        assertThat(neighbour.accepted()).isEqualTo(before);
    }

    @Test
    void anAllowedCidrIsReachable() throws Exception {
        int before = neighbour.accepted();
        assertThat(buildReachedTheNeighbour("--build-allow", NamespaceListener.ADDRESS + "/32")).isEqualTo(1.0);
        assertThat(neighbour.accepted()).isGreaterThan(before);
    }

    @Test
    void aDeniedCidrStaysUnreachableEvenInsideAnAllowedOne() throws Exception {
        int before = neighbour.accepted();
        assertThat(buildReachedTheNeighbour("--build-allow", "100.127.251.0/30",
                "--build-deny", NamespaceListener.ADDRESS + "/32")).isEqualTo(0.0);
        assertThat(neighbour.accepted()).isEqualTo(before);
    }
}
