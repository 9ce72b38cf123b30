package io.perfbox.runtime.aws.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.core.domain.PerformanceResult;
import io.perfbox.core.port.JobWorkspace;
import io.perfbox.testing.aws.StepInputs;
import java.util.Base64;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ResultFileJsonTest {
    static Stream<JobWorkspace.ResultFile> everyResult() {
        return Stream.of(new JobWorkspace.Missing(), new JobWorkspace.NotRegularFile("directory"),
                new JobWorkspace.TooLarge(PerformanceResult.MAX_BYTES));
    }

    @ParameterizedTest
    @MethodSource("everyResult")
    void resultSurvivesTheTripBetweenTheLambdas(JobWorkspace.ResultFile file) {
        assertThat(ResultFileJson.fromJson(StepInputs.JSON.valueToTree(ResultFileJson.toJson(file)))).isEqualTo(file);
    }

    @Test
    void contentSurvivesTheTripByteForByte() {
        byte[] bytes = {'{', '"', 'p', '"', ':', '1', '}', (byte) 0xff, 0};
        JobWorkspace.ResultFile back = ResultFileJson.fromJson(
                StepInputs.JSON.valueToTree(ResultFileJson.toJson(new JobWorkspace.Content(bytes))));
        assertThat(back).isInstanceOfSatisfying(JobWorkspace.Content.class, c -> assertThat(c.bytes()).isEqualTo(bytes));
    }

    @Test
    void contentOverTheLimitIsTooLargeWhateverTheSenderClaims() {
        String big = Base64.getEncoder().encodeToString(new byte[PerformanceResult.MAX_BYTES + 1]);
        assertThat(ResultFileJson.fromJson(StepInputs.JSON.createObjectNode().put("result", "CONTENT").put("contentBase64", big)))
                .isInstanceOf(JobWorkspace.TooLarge.class);
    }

    @Test
    void wholeLambdaInvokeAnswerIsUnwrapped() throws Exception {
        JobWorkspace.ResultFile read = ResultFileJson.fromJson(StepInputs.JSON.readTree("""
                {"ExecutedVersion":"$LATEST","Payload":{"result":"NOT_REGULAR_FILE","kind":"directory"},"StatusCode":200}
                """));
        assertThat(read).isEqualTo(new JobWorkspace.NotRegularFile("directory"));
    }

    @Test
    void unknownResultIsRefused() {
        assertThatThrownBy(() -> ResultFileJson.fromJson(StepInputs.JSON.createObjectNode().put("result", "MAYBE")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
