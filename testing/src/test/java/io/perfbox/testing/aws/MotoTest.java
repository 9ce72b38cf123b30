package io.perfbox.testing.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.net.HttpURLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MotoTest {
    @Test
    void withoutPython3TheInstallFailsSayingWhatIsMissing(@TempDir Path emptyDir) {
        assertThatThrownBy(() -> Moto.python3(emptyDir.toString()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("needs python3 on the PATH");
        assertThatThrownBy(() -> Moto.python3(null)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void python3IsFoundOnThePathItIsGiven(@TempDir Path dir) throws Exception {
        Path python3 = Files.createFile(dir.resolve("python3"));
        python3.toFile().setExecutable(true);
        assertThat(Moto.python3("/nonexistent" + File.pathSeparator + dir)).isEqualTo(python3.toString());
    }

    @Test
    void theVirtualenvIsPerMachineAndNamesThePinnedVersion() {
        assertThat(Moto.virtualenvPath().toString())
                .endsWith(Path.of(".cache", "perfbox", "moto-venv-" + Moto.VERSION).toString());
        assertThat(Moto.VERSION).isEqualTo("5.2.5");
    }

    @Test
    void theServerAnswersOnLoopbackOncePerJvm() throws Exception {
        var endpoint = Moto.endpoint();
        assertThat(endpoint.getHost()).isEqualTo("127.0.0.1");
        assertThat(Moto.endpoint()).isSameAs(endpoint);
        HttpURLConnection c = (HttpURLConnection) endpoint.resolve("/moto-api/").toURL().openConnection();
        assertThat(c.getResponseCode()).isEqualTo(200);
        try (var dynamo = Moto.dynamoDb()) {
            assertThat(dynamo.listTables().tableNames()).isNotNull();
        }
    }
}
