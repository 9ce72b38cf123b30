package io.perfbox.runtime.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.runtime.local.e2e.Http;
import io.perfbox.runtime.local.e2e.PerfboxProcess;
import io.perfbox.testing.docker.RequiresDocker;
import io.perfbox.testing.trivy.RealTrivy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The per-tenant build cache as tenants of one server see it: a resubmission with a changed last line reuses the
 * tenant's earlier steps, across a restart of the server too, while another tenant's identical Dockerfile builds
 * from scratch. The RUN step draws a random number that the run reports as its performance: the same number
 * means the step came from the cache.
 */
@RequiresDocker
class BuildCacheIT {
    private static final Duration END = Duration.ofMinutes(4);

    private static String newKey(Path dataDir, String tenant) {
        CliRun created = CliRun.of(Map.of(), "keys", "create", "--tenant", tenant, "--data-dir", dataDir.toString());
        assertThat(created.exitCode()).as(created.err()).isZero();
        return created.lastLine();
    }

    private static double performance(Http http, String dockerfile) throws Exception {
        JsonNode job = http.awaitEnd(http.submit(dockerfile), END);
        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("SUCCEEDED");
        return job.get("performance").asDouble();
    }

    @Test
    void aTenantsResubmissionReusesItsOwnStepsAcrossARestartAndNoOneElsesDo() throws Exception {
        Path dataDir = Path.of("target", "e2e", "buildcache-" + UUID.randomUUID()).toAbsolutePath();
        String alice = newKey(dataDir, "alice");
        String bob = newKey(dataDir, "bob");
        String steps = "FROM debian:bookworm\nRUN echo " + UUID.randomUUID() + " && shuf -i 1-1000000000 -n 1 > /drawn\n";
        String first = steps + "CMD echo \"{\\\"perf\\\":$(cat /drawn)}\" > /data/perf.json\n";
        String changedLastLine = steps + "CMD echo \"{\\\"perf\\\":$(cat /drawn)}\" > /data/perf.json; true\n";

        double drawn;
        try (PerfboxProcess server = PerfboxProcess.start(dataDir, RealTrivy.with("--require-keys"))) {
            Http asAlice = new Http(server.baseUrl(), Map.of("x-api-key", alice));
            Http asBob = new Http(server.baseUrl(), Map.of("x-api-key", bob));
            drawn = performance(asAlice, first);
            assertThat(performance(asAlice, changedLastLine)).as("alice's resubmission").isEqualTo(drawn);
            assertThat(performance(asBob, first)).as("bob's identical Dockerfile").isNotEqualTo(drawn);
        }
        try (PerfboxProcess restarted = PerfboxProcess.start(dataDir, RealTrivy.with("--require-keys"))) {
            Http asAlice = new Http(restarted.baseUrl(), Map.of("x-api-key", alice));
            assertThat(performance(asAlice, changedLastLine)).as("alice's resubmission after a restart").isEqualTo(drawn);
        }
    }
}
