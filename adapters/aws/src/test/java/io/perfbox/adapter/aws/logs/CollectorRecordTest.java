package io.perfbox.adapter.aws.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.core.domain.PerformanceResult;
import io.perfbox.core.port.JobWorkspace;
import io.perfbox.testing.aws.CollectorRecords;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The collector's record as infra-cdk/task-helpers/collect.sh writes it (TaskHelpersImageIT runs that script and
 * parses its real output with this same reader).
 */
class CollectorRecordTest {
    private static List<String> record(String... lines) {
        return CollectorRecords.of(lines);
    }

    private static List<String> content(byte[] bytes) {
        return CollectorRecords.content(bytes);
    }

    @Test
    void theTestsRecordsUseTheReadersPrefix() {
        assertThat(CollectorRecords.PREFIX).isEqualTo(CollectorRecord.PREFIX);
    }

    @Test
    void contentOverSeveralDataLinesIsTheFilesBytes() {
        byte[] bytes = ("{\"perf\":0.99,\"pad\":\"" + "x".repeat(20_000) + "\"}").getBytes(StandardCharsets.UTF_8);

        assertThat(CollectorRecord.parse(content(bytes))).hasValueSatisfying(file ->
                assertThat(((JobWorkspace.Content) file).bytes()).isEqualTo(bytes));
    }

    @Test
    void emptyFileIsContentWithoutDataLines() {
        assertThat(CollectorRecord.parse(record("CONTENT"))).hasValueSatisfying(file ->
                assertThat(((JobWorkspace.Content) file).bytes()).isEmpty());
    }

    @Test
    void fileOneByteOverTheLimitIsTooLarge() {
        assertThat(CollectorRecord.parse(content(new byte[PerformanceResult.MAX_BYTES + 1])))
                .contains(new JobWorkspace.TooLarge(PerformanceResult.MAX_BYTES));
        assertThat(CollectorRecord.parse(content(new byte[PerformanceResult.MAX_BYTES])))
                .hasValueSatisfying(file -> assertThat(file).isInstanceOf(JobWorkspace.Content.class));
    }

    @Test
    void missingLinkedSpecialAndUnreadableFilesAreNamedAsTheLocalRuntimeNamesThem() {
        assertThat(CollectorRecord.parse(record("MISSING"))).contains(new JobWorkspace.Missing());
        assertThat(CollectorRecord.parse(record("NOT_REGULAR_FILE symbolic link")))
                .contains(new JobWorkspace.NotRegularFile("symbolic link"));
        assertThat(CollectorRecord.parse(record("NOT_REGULAR_FILE directory")))
                .contains(new JobWorkspace.NotRegularFile("directory"));
        assertThat(CollectorRecord.parse(record("UNREADABLE")))
                .contains(new JobWorkspace.NotRegularFile("file that cannot be read"));
    }

    @Test
    void recordWithoutItsEndIsNotCompleteYet() {
        List<String> partial = new ArrayList<>(content("{\"perf\":1}".getBytes(StandardCharsets.UTF_8)));
        partial.remove(partial.size() - 1);

        assertThat(CollectorRecord.parse(partial)).isEmpty();
        assertThat(CollectorRecord.parse(List.of())).as("a stream not delivered yet").isEmpty();
    }

    @Test
    void linesTheCollectorNeverWritesAreRefusedNotTakenForAResult() {
        assertThatThrownBy(() -> CollectorRecord.parse(List.of("{\"perf\":1.0}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not write");
        assertThatThrownBy(() -> CollectorRecord.parse(record("DATA eyJ9")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("before CONTENT");
        assertThatThrownBy(() -> CollectorRecord.parse(record("CONTENT", "DATA !!!")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("base64");
        assertThatThrownBy(() -> CollectorRecord.parse(record()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("without an outcome");
        assertThatThrownBy(() -> CollectorRecord.parse(record("PERF 1.0")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown");
    }
}
