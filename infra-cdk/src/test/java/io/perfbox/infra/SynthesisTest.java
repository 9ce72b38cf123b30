package io.perfbox.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** The assembly on disk: what cfn-lint reads in the verify phase, and what `cdk deploy` would upload. */
class SynthesisTest {

    @Test
    void assemblyHoldsTheTemplateAndTheLambdaJarAsset() throws Exception {
        var template = SynthesizedStack.ASSEMBLY.resolve(SynthesizedStack.STACK_NAME + ".template.json");
        assertThat(template).isRegularFile();
        try (var files = Files.list(SynthesizedStack.ASSEMBLY)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .anyMatch(name -> name.startsWith("asset.") && name.endsWith(".jar"));
        }
        System.out.printf("[perfbox] template: %d bytes, synth (with cdk-nag) %d ms%n",
                Files.size(template), SynthesizedStack.SYNTH_MILLIS);
    }
}
