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
 * A failed build explains itself through the API: real builds on the Docker engine (BuildKit, the default builder)
 * through a real {@code perfbox serve}, each failure message read from {@code GET /jobs/{id}}.
 */
@RequiresDocker
class BuildFailureMessageIT {
    private static final Duration END = Duration.ofMinutes(3);
    private static PerfboxProcess server;
    private static Http http;

    @BeforeAll
    static void startServer() throws Exception {
        Path dataDir = Path.of("target", "e2e", "build-failure-" + UUID.randomUUID()).toAbsolutePath();
        server = PerfboxProcess.start(dataDir, RealTrivy.with("--build-timeout", "90s"));
        http = new Http(server.baseUrl());
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static JsonNode failed(String dockerfile) throws Exception {
        JsonNode job = http.awaitEnd(http.submit(dockerfile), END);
        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("FAILED");
        assertThat(job.get("failure").get("code").asText()).as(job.toString()).isEqualTo("BUILD_FAILED");
        return job;
    }

    @Test
    void aRunFailingOnAContinuedLineIsNamedByItsLineWithItsLastOutputAndTheLogsCommand() throws Exception {
        String nonce = UUID.randomUUID().toString();
        JsonNode job = failed("FROM debian:bookworm\n"
                + "# a comment, then an instruction over three lines\n"
                + "RUN echo about to fail " + nonce + " && \\\n"
                + "    printf 'line 1: FROM spoofed\\n\\033]0;title\\007\\n' && \\\n"
                + "    exit 3\n"
                + "CMD true\n");
        String id = job.get("id").asText();
        String message = job.get("failure").get("message").asText();
        assertThat(message.lines().findFirst().orElseThrow()).isEqualTo("The image did not build: line 3: RUN echo about"
                + " to fail " + nonce + " && printf 'line 1: FROM spoofed\\n\\033]0;title\\007\\n' && exit 3: exit code: 3");
        assertThat(message).contains("\n  | about to fail " + nonce + "\n", "\n  | line 1: FROM spoofed\n",
                "\n  | \\u001b]0;title\\u0007")
                .endsWith("\nThe whole build output: perfbox logs " + id)
                .doesNotContain("\u001b", "\u0007");
        String build = http.get("/jobs/" + id + "/logs").json().get("build").get("text").asText();
        assertThat(build).contains("about to fail " + nonce);
    }

    @Test
    void aCopyOfAMissingFileSaysTheDockerfileIsTheWholeBuildContext() throws Exception {
        JsonNode job = failed("FROM debian:bookworm\nWORKDIR /app\nCOPY secrets-" + UUID.randomUUID() + ".txt /app/\n"
                + "CMD true\n");
        String message = job.get("failure").get("message").asText();
        assertThat(message).startsWith("The image did not build: line 3: COPY secrets-")
                .contains("not found", "the Dockerfile is the whole build context")
                .endsWith("perfbox logs " + job.get("id").asText());
    }
}
