package io.perfbox.runtime.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.runtime.local.e2e.Http;
import io.perfbox.runtime.local.e2e.PerfboxProcess;
import io.perfbox.testing.docker.RequiresDocker;
import io.perfbox.testing.trivy.RealTrivy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The README's "Operations: retention, backup and restore" commands as written there: a server started with the
 * section's first serve line (and a daily quota, the option "the old server had"), real jobs of two tenants, API keys
 * (one revoked); the section's backup line run as a process of its own while that server runs, its restore line
 * likewise, and a server started with its second serve line on the restored dir: the same jobs, logs and keys, the
 * revoked key still refused, the quota counted on from where it was. Only the paths that stand for the reader's own
 * are replaced (and {@code ./perfbox} by this build's java command).
 */
@RequiresDocker
class BackupRestoreReadmeIT {
    private static final String QUICK = "FROM debian:bookworm\nCMD echo '{\"perf\":0.25}' > /data/perf.json\n";
    private static final Duration WAIT = Duration.ofMinutes(4);

    private record Run(int exitCode, String out) {
    }

    /** A README line as a process: {@code ./perfbox} is this build's CLI in a JVM of its own. */
    private static Run perfbox(String line) throws Exception {
        List<String> words = new ArrayList<>(Arrays.asList(line.split(" ")));
        assertThat(words.remove(0)).isEqualTo("./perfbox");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.perfbox.runtime.local.cli.PerfboxCli"));
        cmd.addAll(words);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("PERFBOX_"));
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    private static String replaced(String line, Map<String, String> names) {
        String out = line;
        // Longest first: /srv/perfbox-restored before /srv/perfbox.
        for (String k : names.keySet().stream().sorted((a, b) -> b.length() - a.length()).toList()) {
            out = out.replace(k, names.get(k));
        }
        return out;
    }

    private static String command(List<String> commands, String prefix) {
        return commands.stream().filter(c -> c.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("the section has no command starting " + prefix + ": " + commands));
    }

    /** A serve line's options but --data-dir (PerfboxProcess gives it, and a free port), plus the old server's quota. */
    private static PerfboxProcess serve(String line, Path dataDir) throws Exception {
        List<String> words = new ArrayList<>(Arrays.asList(line.split(" ")));
        assertThat(words.subList(0, 2)).containsExactly("./perfbox", "serve");
        int at = words.indexOf("--data-dir");
        assertThat(words.get(at + 1)).isEqualTo(dataDir.toString());
        List<String> options = new ArrayList<>(words.subList(2, words.size()));
        options.removeAll(List.of("--data-dir", dataDir.toString()));
        options.addAll(List.of("--max-submissions-per-day", "3", "--workers", "2"));
        options.addAll(List.of(RealTrivy.serveOptions()));
        return PerfboxProcess.start(dataDir, options.toArray(String[]::new));
    }

    @Test
    void theSectionsBackupOfARunningServerRestoresToAServerWithTheSameJobsKeysAndQuotas() throws Exception {
        ReadmeSection readme = ReadmeSection.of("Operations: retention, backup and restore");
        List<String> commands = readme.commands();
        Path root = Path.of("target", "e2e", "readme-backup-" + UUID.randomUUID()).toAbsolutePath();
        Path dataDir = root.resolve("perfbox");
        Path restoredDir = root.resolve("perfbox-restored");
        Path backups = Files.createDirectories(root.resolve("backups"));
        Map<String, String> names = Map.of("/srv/perfbox-restored", restoredDir.toString(), "/srv/perfbox", dataDir.toString(),
                "/backups/", backups + "/");

        // Keys: one per tenant, and a third revoked.
        String keyA = CliRun.of(Map.of(), "keys", "create", "--tenant", "team-a", "--data-dir", dataDir.toString(), "-q").lastLine();
        String keyB = CliRun.of(Map.of(), "keys", "create", "--tenant", "team-b", "--data-dir", dataDir.toString(), "-q").lastLine();
        CliRun revokedMade = CliRun.of(Map.of(), "keys", "create", "--tenant", "team-c", "--data-dir", dataDir.toString(), "-o", "json");
        String revokedKey = Http.JSON.readTree(revokedMade.out()).get("key").asText();
        String revokedId = Http.JSON.readTree(revokedMade.out()).get("id").asText();
        assertThat(CliRun.of(Map.of(), "keys", "revoke", revokedId, "--data-dir", dataDir.toString()).exitCode()).isZero();

        List<String> serveLines = commands.stream().filter(c -> c.startsWith("./perfbox serve")).toList();
        assertThat(serveLines).hasSize(2);
        List<String> idsA = new ArrayList<>();
        String idB;
        try (PerfboxProcess original = serve(replaced(serveLines.get(0), names), dataDir)) {
            Http a = new Http(original.baseUrl(), Map.of("x-api-key", keyA));
            Http b = new Http(original.baseUrl(), Map.of("x-api-key", keyB));
            idsA.add(a.submit(QUICK));
            idsA.add(a.submit(QUICK));
            idB = b.submit(QUICK);
            for (String id : idsA) {
                assertThat(a.awaitEnd(id, WAIT).get("status").asText()).isEqualTo("SUCCEEDED");
            }
            assertThat(b.awaitEnd(idB, WAIT).get("status").asText()).isEqualTo("SUCCEEDED");
            JsonNode listedBefore = a.get("/jobs").json();
            String logsBefore = a.get("/jobs/" + idsA.get(0) + "/logs").body();

            // The backup while the server runs, as a process of its own.
            Run backup = perfbox(replaced(command(commands, "./perfbox backup"), names));
            assertThat(backup.exitCode()).as(backup.out()).isZero();
            assertThat(backup.out()).contains("backed up 3 job(s), 3 API key(s)");
            Path file = backups.resolve("perfbox-2026-12-07.tar.gz");
            assertThat(file).isRegularFile();
            Run again = perfbox(replaced(command(commands, "./perfbox backup"), names));
            assertThat(again.exitCode()).as("never overwritten: " + again.out()).isEqualTo(2);

            Run restore = perfbox(replaced(command(commands, "./perfbox restore"), names));
            assertThat(restore.exitCode()).as(restore.out()).isZero();
            assertThat(restore.out()).contains("restored 3 job(s), 3 API key(s)");
            Run twice = perfbox(replaced(command(commands, "./perfbox restore"), names));
            assertThat(twice.exitCode()).as(twice.out()).isEqualTo(2);
            assertThat(twice.out()).contains("is not empty");

            // The restored server, beside the original (another data dir, another store id).
            try (PerfboxProcess restored = serve(replaced(serveLines.get(1), names), restoredDir)) {
                Http ra = new Http(restored.baseUrl(), Map.of("x-api-key", keyA));
                Http rb = new Http(restored.baseUrl(), Map.of("x-api-key", keyB));
                assertThat(ra.get("/jobs").json()).isEqualTo(listedBefore);
                for (String id : idsA) {
                    assertThat(ra.job(id)).isEqualTo(a.job(id));
                }
                assertThat(ra.get("/jobs/" + idsA.get(0) + "/logs").body()).isEqualTo(logsBefore);
                assertThat(rb.job(idB)).isEqualTo(b.job(idB));
                assertThat(rb.get("/jobs/" + idsA.get(0)).status()).as("still another tenant's").isEqualTo(404);
                assertThat(new Http(restored.baseUrl(), Map.of("x-api-key", revokedKey)).get("/jobs").status())
                        .as("the revoked key stays revoked").isEqualTo(401);
                assertThat(new Http(restored.baseUrl()).get("/jobs").status()).as("keys still required").isEqualTo(401);

                // team-a used 2 of its 3 submissions a day: one more, then 429.
                ra.submit(QUICK);
                Http.Reply over = ra.send("POST", "/jobs", "text/plain", QUICK.getBytes(StandardCharsets.UTF_8), Map.of());
                assertThat(over.status()).as(over.body()).isEqualTo(429);
                assertThat(Files.readString(restoredDir.resolve("store-id")).strip())
                        .isNotEqualTo(Files.readString(dataDir.resolve("store-id")).strip());
            }
        }
    }
}
