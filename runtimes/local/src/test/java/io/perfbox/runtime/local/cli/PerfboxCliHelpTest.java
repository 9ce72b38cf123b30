package io.perfbox.runtime.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.runtime.local.LocalConfig;
import io.perfbox.testing.RepositoryRoot;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code perfbox help} and the README's serve options table name every option, the team server's included. */
class PerfboxCliHelpTest {

    private static String help() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = new PerfboxCli(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), Map.of()).run(List.of("help"));
        assertThat(code).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpNamesEveryServeOptionTheKeysCommandsAndTheClientsTlsOptions() {
        String help = help();
        for (LocalConfig.Setting s : LocalConfig.SETTINGS) {
            assertThat(help).contains("--" + s.name());
        }
        assertThat(help).contains("keys create --tenant NAME", "keys list", "keys revoke ID",
                "--api-key", "PERFBOX_API_KEY", "--cacert", "--fingerprint");
    }

    @Test
    void theReadmesServeOptionsTableNamesEveryOption() throws Exception {
        String readme = Files.readString(RepositoryRoot.path().resolve("README.md"));
        for (LocalConfig.Setting s : LocalConfig.SETTINGS) {
            assertThat(readme).contains("`--" + s.name() + "`");
        }
    }
}
