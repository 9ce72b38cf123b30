package io.perfbox.runtime.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** perfbox status's (and submit --wait's) lines for a job of several runs. */
class RunLinesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String lines(String job) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        JobLines.runLines(out, JSON.readTree(job));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void eachRunIsALineAfterTheirMedianMinMaxAndSpread() throws Exception {
        String text = lines("""
                {"runs":3,"runResults":[{"run":1,"value":0.5,"metrics":{},"durationSeconds":1.234},
                {"run":2,"value":0.9,"metrics":{},"durationSeconds":null},{"run":3,"value":0.7,"metrics":{},
                "durationSeconds":0.5}],"runSummary":{"completed":3,"values":[0.5,0.9,0.7],"median":0.7,"min":0.5,
                "max":0.9,"spread":0.5714285714285715}}""");
        assertThat(text).isEqualTo("""
                runs:        3 of 3 (median 0.7, min 0.5, max 0.9, spread 57.14%)
                run 1:       0.5 (1.23 s)
                run 2:       0.9
                run 3:       0.7 (0.50 s)
                """);
    }

    @Test
    void aJobUnderWayShowsTheRunsSoFarAndAJobOfOneRunPrintsNothingNew() throws Exception {
        assertThat(lines("{\"runs\":4,\"runResults\":[],\"runSummary\":null}")).isEqualTo("runs:        0 of 4\n");
        assertThat(lines("{\"runs\":1,\"runResults\":[{\"run\":1,\"value\":1,\"metrics\":{},\"durationSeconds\":1}],"
                + "\"runSummary\":{\"median\":1,\"min\":1,\"max\":1,\"spread\":0}}")).isEmpty();
        // A server from before runs sends none.
        assertThat(lines("{\"performance\":1}")).isEmpty();
        assertThat(lines("{\"runs\":2,\"runResults\":[{\"run\":1,\"value\":0,\"metrics\":{},\"durationSeconds\":1},"
                + "{\"run\":2,\"value\":0,\"metrics\":{},\"durationSeconds\":1}],\"runSummary\":{\"median\":0,\"min\":-1,"
                + "\"max\":1,\"spread\":null}}")).startsWith("runs:        2 of 2 (median 0, min -1, max 1, spread -)\n");
    }
}
