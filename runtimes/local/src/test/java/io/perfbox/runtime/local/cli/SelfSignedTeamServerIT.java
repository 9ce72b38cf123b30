package io.perfbox.runtime.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.runtime.local.e2e.PerfboxProcess;
import io.perfbox.runtime.local.tls.Pem;
import io.perfbox.runtime.local.tls.SelfSigned;
import io.perfbox.testing.docker.RequiresDocker;
import io.perfbox.testing.trivy.RealTrivy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** {@code serve --listen 0.0.0.0:PORT --tls-self-signed}: HTTPS with a fingerprint printed, keys required without asking. */
@RequiresDocker
class SelfSignedTeamServerIT {

    @Test
    void aServerOnEveryInterfaceServesHttpsPrintsItsFingerprintAndRequiresKeys() throws Exception {
        Path dataDir = Path.of("target", "e2e", "self-signed-" + UUID.randomUUID()).toAbsolutePath();
        try (PerfboxProcess server = PerfboxProcess.start(dataDir, RealTrivy.with("--listen", "0.0.0.0:0", "--tls-self-signed"))) {
            assertThat(server.baseUrl()).startsWith("https://");
            String fingerprint = Pem.fingerprint(Pem.certificates(dataDir.resolve("tls").resolve(SelfSigned.CERT_FILE)).get(0));
            Path log = dataDir.resolveSibling(dataDir.getFileName() + "-server.log");
            String printed = "";
            for (int i = 0; i < 100 && !printed.contains("API keys required"); i++) {
                printed = Files.readString(log);
                Thread.sleep(50);
            }
            assertThat(printed).contains("TLS certificate SHA-256 fingerprint: " + fingerprint).contains("API keys required");

            Map<String, String> env = Map.of("PERFBOX_URL", server.baseUrl(), "PERFBOX_FINGERPRINT", fingerprint);
            CliRun noKey = CliRun.of(env, "list");
            assertThat(noKey.exitCode()).isEqualTo(1);
            assertThat(noKey.err()).contains("401");

            CliRun created = CliRun.of(Map.of(), "keys", "create", "--tenant", "remote", "--data-dir", dataDir.toString());
            String[] lines = created.out().strip().split("\n");
            CliRun listed = CliRun.of(Map.of("PERFBOX_URL", server.baseUrl(), "PERFBOX_FINGERPRINT", fingerprint,
                    "PERFBOX_API_KEY", lines[lines.length - 1]), "list");
            assertThat(listed.exitCode()).as(listed.err()).isZero();
            assertThat(listed.out()).contains("\"jobs\"");
        }
    }
}
