package io.perfbox.adapter.trivy;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.testing.RepositoryRoot;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class TrivySettingsTest {

    @Test
    void pinsTheVersionThatToolsTrivyVersionNames() throws Exception {
        String pinned = Files.readString(RepositoryRoot.path().resolve("tools/trivy.version")).strip();
        assertThat(TrivySettings.PINNED_VERSION).isEqualTo(pinned);
        assertThat(TrivySettings.DEFAULT_IMAGE).endsWith(":" + pinned);
    }

    @Test
    void theBuildspecPinsTheSameTrivy() throws Exception {
        String pinned = Files.readString(RepositoryRoot.path().resolve("tools/trivy.version")).strip();
        String buildspec = Files.readString(RepositoryRoot.path().resolve("buildspecs/build-and-scan.yml"));
        assertThat(buildspec).contains("TRIVY_VERSION: \"" + pinned + "\"");
        assertThat(buildspec.replace("trivy-" + pinned, "")).doesNotContainPattern("trivy-\\d+\\.\\d+\\.\\d+");
    }
}
