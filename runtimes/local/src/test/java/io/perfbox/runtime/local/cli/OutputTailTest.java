package io.perfbox.runtime.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OutputTailTest {

    @Test
    void theProgressLineMovesOnWithTheStageInsteadOfShowingTheLastBuildLine() {
        var bytes = new ByteArrayOutputStream();
        var out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        OutputTail tail = new OutputTail(out, out, true);

        tail.output("#7 [2/2] RUN make model\n");
        tail.progress("BUILDING", null);
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("BUILDING  #7 [2/2] RUN make model");

        bytes.reset();
        tail.stage("SCANNING");
        tail.progress("SCANNING", null);
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("SCANNING").doesNotContain("RUN make model");

        bytes.reset();
        tail.stage("RUNNING");
        tail.output("epoch 1 loss 0.4\n");
        tail.progress("RUNNING", null);
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("RUNNING  epoch 1 loss 0.4").doesNotContain("make model");
    }
}
