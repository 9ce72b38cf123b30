package io.perfbox.runtime.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perfbox.runtime.local.e2e.Http;
import io.perfbox.runtime.local.e2e.PerfboxProcess;
import io.perfbox.runtime.local.tls.Pem;
import io.perfbox.runtime.local.tls.TestCertificates;
import io.perfbox.testing.docker.RequiresDocker;
import io.perfbox.testing.trivy.RealTrivy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The README's "Team server" commands as they are written there, read from the README itself so the two cannot
 * drift: the key made with {@code keys create}, the server started with the {@code serve} line (its own certificate,
 * every interface), then a submit from the CLI line and from the curl line, each ending SUCCEEDED. Only the names
 * that stand for the reader's own (data dir, port, host name, files) are replaced.
 */
@RequiresDocker
class TeamServerReadmeIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DOCKERFILE = "FROM debian:bookworm\nCMD echo '{\"perf\":0.75}' > /data/perf.json\n";

    /** The shell code blocks of the README's "Team server" section, comments and line continuations removed. */
    static List<String> teamServerCommands() throws Exception {
        return ReadmeSection.of("Team server").commands();
    }

    private static String command(List<String> commands, String prefix) {
        return commands.stream().filter(c -> c.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("the Team server section has no command starting " + prefix + ": " + commands));
    }

    /** The words after {@code ./perfbox}, with the reader's names replaced by this test's. */
    private static List<String> perfboxArgs(String command, Map<String, String> replacements) {
        List<String> words = new ArrayList<>(Arrays.asList(command.split(" ")));
        assertThat(words.remove(0)).isEqualTo("./perfbox");
        return words.stream().map(w -> replacements.getOrDefault(w, w)).toList();
    }

    @Test
    void theSectionsCommandsMakeAKeyStartAnHttpsServerAndSubmitFromTheCliAndFromCurl() throws Exception {
        List<String> commands = teamServerCommands();
        Path root = Path.of("target", "e2e", "readme-team-" + UUID.randomUUID()).toAbsolutePath();
        Path dataDir = root.resolve("data");
        Path work = Files.createDirectories(root.resolve("work"));
        TestCertificates.Pair pair = TestCertificates.make(work, "EC", "readme");
        // The reader's own file names, in the working directory the commands run in.
        Files.copy(pair.certificate(), work.resolve("cert.pem"));
        Files.copy(pair.key(), work.resolve("key.pem"));
        Files.writeString(work.resolve("Dockerfile"), DOCKERFILE);
        Map<String, String> names = new HashMap<>(Map.of("/srv/perfbox", dataDir.toString(),
                "cert.pem", work.resolve("cert.pem").toString(), "key.pem", work.resolve("key.pem").toString(),
                "Dockerfile", work.resolve("Dockerfile").toString()));

        // 1. A key per tenant, printed on the last line.
        CliRun created = CliRun.of(Map.of(), perfboxArgs(command(commands, "./perfbox keys create"), names).toArray(String[]::new));
        assertThat(created.exitCode()).as(created.err()).isZero();
        String key = created.lastLine();
        assertThat(key).startsWith("pbk_");

        // 2. The server, as written (every interface, HTTPS with the PEM pair, quotas); a free port for 8443.
        List<String> serve = perfboxArgs(command(commands, "./perfbox serve"), names);
        assertThat(serve.getFirst()).isEqualTo("serve");
        assertThat(serve).contains("--listen", "0.0.0.0:8443", "--tls-cert", "--tls-key");
        List<String> options = new ArrayList<>(serve.subList(1, serve.size()).stream()
                .map(w -> w.equals("0.0.0.0:8443") ? "0.0.0.0:0" : w).toList());
        options.addAll(List.of(RealTrivy.serveOptions()));
        try (PerfboxProcess server = PerfboxProcess.start(dataDir, options.toArray(String[]::new))) {
            String base = "https://127.0.0.1:" + URI.create(server.baseUrl()).getPort();

            // 3. From another machine with the CLI: the exported URL and key, then the submit line.
            String exported = command(commands, "export ");
            Map<String, String> env = new HashMap<>();
            for (String assignment : exported.substring("export ".length()).split(" ")) {
                String[] kv = assignment.split("=", 2);
                env.put(kv[0], kv[0].equals("PERFBOX_URL") ? base : kv[0].equals("PERFBOX_API_KEY") ? key : kv[1]);
            }
            assertThat(env).containsOnlyKeys("PERFBOX_URL", "PERFBOX_API_KEY");
            assertThat(exported).contains("PERFBOX_URL=https://perfbox.example:8443");
            CliRun submitted = CliRun.of(env, perfboxArgs(command(commands, "./perfbox submit"), names).toArray(String[]::new));
            assertThat(submitted.exitCode()).as(submitted.out() + submitted.err()).isZero();
            assertThat(submitted.out()).contains("SUCCEEDED").contains("performance: 0.75");

            // 4. ... and with curl, run by a shell in the directory that holds cert.pem and the Dockerfile.
            String curl = command(commands, "curl ");
            assertThat(curl).contains("https://perfbox.example:8443/jobs");
            ProcessBuilder shell = new ProcessBuilder("bash", "-c", curl.replace("https://perfbox.example:8443", base))
                    .directory(work.toFile()).redirectErrorStream(true);
            shell.environment().putAll(env); // what the export line above set in that shell
            Process p = shell.start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            JsonNode job = JSON.readTree(out);
            assertThat(job.get("status").asText()).isEqualTo("QUEUED");
            assertThat(awaitEnd(base, pair.certificate(), key, job.get("id").asText()).get("status").asText())
                    .isEqualTo("SUCCEEDED");
        }
    }

    private static JsonNode awaitEnd(String base, Path certificate, String key, String id) throws Exception {
        return new Http(base, Map.of("x-api-key", key), Pem.trusting(certificate)).awaitEnd(id, Duration.ofMinutes(3));
    }
}
