package io.perfbox.runtime.local.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.api.ApiOperation;
import io.perfbox.testing.docker.RequiresDocker;
import io.perfbox.testing.schemathesis.Schemathesis;
import io.perfbox.testing.trivy.RealTrivy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document and the server agree, judged by Schemathesis against a real {@code perfbox serve}: every
 * check, every phase (examples, coverage, fuzzing, and the stateful phase that follows the document's links from
 * {@code POST /jobs} to the job routes), bounded by --max-examples so it stays within a few minutes. Any finding
 * fails the test with Schemathesis's report.
 */
@RequiresDocker
class SchemathesisIT {
    private static PerfboxProcess server;
    private static Path workDir;

    @BeforeAll
    static void startServer() throws Exception {
        Path dataDir = Path.of("target", "e2e", "schemathesis-" + UUID.randomUUID()).toAbsolutePath();
        workDir = dataDir.resolveSibling(dataDir.getFileName() + "-schemathesis");
        // One worker and a short run: the jobs Schemathesis submits queue up rather than load the machine.
        server = PerfboxProcess.start(dataDir, RealTrivy.with("--workers", "1", "--run-timeout", "5s",
                "--build-timeout", "20s"));
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void theServerAnswersAsItsOpenApiDocumentSaysWithNoFindingInAnyCheckOrPhase() throws Exception {
        // No configuration: every check with its default expectations, no exception for any operation. The hooks
        // only teach the generator two rules no JSON Schema keyword states (a gzip'd Dockerfile's encoding, a fresh
        // Idempotency-Key per request); the file says why.
        Path hooks = Path.of(SchemathesisIT.class.getResource("/schemathesis_hooks.py").toURI());
        Schemathesis.Result result = Schemathesis.run(List.of(
                "run", server.baseUrl() + "/openapi.json",
                "--url", server.baseUrl(),
                "--checks", "all",
                "--phases", "examples,coverage,fuzzing,stateful",
                "--max-examples", "25",
                "--seed", "20261201",
                "--request-timeout", "30",
                "--max-response-time", "30",
                "--generation-database", "none"), hooks, workDir, Duration.ofMinutes(8));

        assertThat(result.exitCode()).as(result.output()).isZero();
        // Every operation of the route table but GET /openapi.json itself, which Schemathesis does not count.
        int operations = ApiOperation.values().length - 1;
        assertThat(result.output()).as("all %d operations tested, none left unreached by the links", operations)
                .contains("Tested: " + operations).doesNotContain("FAILURES").doesNotContain("never reached")
                .doesNotContain("linked data was not usable");
    }
}
