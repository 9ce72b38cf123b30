package io.perfbox.adapter.aws.ecs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FargateTaskSizeTest {

    @Test
    void smallImagesRunOnTheDefaultStorage() {
        assertThat(FargateTaskSize.ephemeralStorageGiB(64)).isEqualTo(20);
        assertThat(FargateTaskSize.ephemeralStorageGiB(10 * 1024)).isEqualTo(20);
    }

    @Test
    void aLargerImageLimitGetsStorageForTheImageAndTheWritableLayer() {
        assertThat(FargateTaskSize.ephemeralStorageGiB(10 * 1024 + 1)).isEqualTo(21);
        assertThat(FargateTaskSize.ephemeralStorageGiB(100 * 1024)).isEqualTo(110);
        assertThat(FargateTaskSize.ephemeralStorageGiB(FargateTaskSize.MAX_IMAGE_MIB)).isEqualTo(200);
    }

    @Test
    void anImageLimitNoTaskCanHoldIsRefused() {
        assertThatThrownBy(() -> FargateTaskSize.ephemeralStorageGiB(FargateTaskSize.MAX_IMAGE_MIB + 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 194560 MiB");
    }

    @Test
    void tellsTheTaskSizesFargateAccepts() {
        assertThat(FargateTaskSize.isValid(256, 512)).isTrue();
        assertThat(FargateTaskSize.isValid(256, 1536)).isFalse();
        assertThat(FargateTaskSize.isValid(1024, 3072)).isTrue();
        assertThat(FargateTaskSize.isValid(16384, 122880)).isTrue();
        assertThat(FargateTaskSize.problem(3000, 4096)).get().asString().contains("CPU");
    }
}
