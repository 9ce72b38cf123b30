package io.perfbox.runtime.local.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.testing.docker.RequiresDocker;
import io.perfbox.testing.trivy.RealTrivy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The server's console: JSON lines when its output is not a terminal (as here, and under systemd or in CI), plain
 * text lines with --log-format text; the log file in the data dir is JSON lines either way.
 */
@RequiresDocker
class ServeLogFormatIT {

    private static List<String> logLines(Path serverLog, String marker) throws Exception {
        for (int i = 0; i < 100; i++) {
            String printed = Files.readString(serverLog);
            if (printed.contains(marker)) {
                return printed.lines().toList();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no '" + marker + "' in " + Files.readString(serverLog));
    }

    private static Path serverLog(Path dataDir) {
        return dataDir.resolveSibling(dataDir.getFileName() + "-server.log");
    }

    @Test
    void withoutATerminalTheConsoleGetsJsonLines() throws Exception {
        Path dataDir = Path.of("target", "e2e", "log-json-" + UUID.randomUUID()).toAbsolutePath();
        try (PerfboxProcess server = PerfboxProcess.start(dataDir, RealTrivy.serveOptions())) {
            List<String> lines = logLines(serverLog(server.dataDir()), "recovery:");
            String recovery = lines.stream().filter(l -> l.contains("recovery:")).findFirst().orElseThrow();
            JsonNode json = Http.JSON.readTree(recovery);
            assertThat(json.get("level").asText()).isEqualTo("INFO");
            assertThat(json.get("logger").asText()).isEqualTo("io.perfbox.runtime.local.PerfboxServer");
        }
    }

    @Test
    void logFormatTextGivesPlainLinesWithRequestIdsAndTheFileStaysJson() throws Exception {
        Path dataDir = Path.of("target", "e2e", "log-text-" + UUID.randomUUID()).toAbsolutePath();
        try (PerfboxProcess server = PerfboxProcess.start(dataDir, RealTrivy.with("--log-format", "text"))) {
            // A request the server logs (a refused one), with the id it carries.
            RawHttp.send(server.baseUrl(), "GET", "/jobs", Map.of("Host", "attacker.example", "X-Request-Id", "req-text-1"), null);
            List<String> lines = logLines(serverLog(dataDir), "req-text-1");
            assertThat(lines).anySatisfy(l -> assertThat(l)
                    .matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  PerfboxServer: recovery: .*"));
            assertThat(lines).anySatisfy(l -> assertThat(l)
                    .matches(".* INFO  LocalApiServer: refused GET /jobs: The Host 'attacker.example' is not this server.*"
                            + "  request=req-text-1"));
            assertThat(lines).noneSatisfy(l -> assertThat(l).startsWith("{"));

            Path file = dataDir.resolve("logs").resolve("perfbox.0.log");
            List<String> fileLines = Files.readAllLines(file);
            assertThat(fileLines).isNotEmpty().allSatisfy(l -> assertThat(Http.JSON.readTree(l).has("timestamp")).isTrue());
            assertThat(fileLines).anySatisfy(l -> assertThat(l).contains("\"requestId\":\"req-text-1\""));
        }
    }
}
