package io.perfbox.runtime.aws.workflow;

import static io.perfbox.testing.aws.StepInputs.input;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.core.domain.InvalidInputException;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.PerformanceResult;
import io.perfbox.core.port.JobWorkspace;
import io.perfbox.testing.aws.StepInputs;
import io.perfbox.testing.logging.CapturedLogLines;
import io.perfbox.logging.JobLogContext;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The in-VPC handlers (ReadResult, DiscardWorkspace) on a temporary directory standing in for the EFS mount (/mnt/jobs). */
class WorkspaceHandlersTest {
    @TempDir
    Path mount;
    private ReadResultHandler readResult;
    private DiscardWorkspaceHandler discard;
    private final JobId id = JobId.random();
    private Path jobDir;

    @BeforeEach
    void prepare() throws Exception {
        readResult = new ReadResultHandler(mount);
        discard = new DiscardWorkspaceHandler(mount);
        jobDir = Files.createDirectory(mount.resolve(id.value()));
    }

    private Map<String, Object> step(String state) {
        WorkflowStep handler = state.equals("read-result") ? readResult : discard;
        return handler.handleRequest(input("{\"jobId\":\"" + id + "\"}"), null);
    }

    private static void mkfifo(Path at) throws Exception {
        Process mkfifo = new ProcessBuilder("mkfifo", at.toString()).start();
        assertThat(mkfifo.waitFor()).isZero();
    }

    @Test
    void resultIsReturnedAsBase64() throws Exception {
        Files.writeString(jobDir.resolve("perf.json"), "{\"perf\":0.99}");

        Map<String, Object> out = step("read-result");

        assertThat(out).containsEntry("result", "CONTENT");
        assertThat(new String(Base64.getDecoder().decode((String) out.get("contentBase64")), StandardCharsets.UTF_8))
                .isEqualTo("{\"perf\":0.99}");
    }

    @Test
    void linkAtPerfJsonIsNeverFollowed() throws Exception {
        Path otherJob = Files.createDirectory(mount.resolve(JobId.random().value()));
        Path theirs = Files.writeString(otherJob.resolve("perf.json"), "{\"perf\":1000}");
        Files.createSymbolicLink(jobDir.resolve("perf.json"), theirs);

        assertThat(step("read-result")).isEqualTo(Map.of("result", "NOT_REGULAR_FILE", "kind", "symbolic link"));
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void namedPipeAtPerfJsonIsReportedWithoutBlocking() throws Exception {
        mkfifo(jobDir.resolve("perf.json"));
        Map<String, Object> out = step("read-result");
        assertThat(out).containsEntry("result", "NOT_REGULAR_FILE");
        assertThat((String) out.get("kind")).contains("pipe");
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void hugePerfJsonIsTooLargeWithoutBeingRead() throws Exception {
        try (RandomAccessFile huge = new RandomAccessFile(jobDir.resolve("perf.json").toFile(), "rw")) {
            huge.setLength(100L << 30);
        }
        assertThat(step("read-result")).isEqualTo(Map.of("result", "TOO_LARGE", "limit", (long) PerformanceResult.MAX_BYTES));
    }

    @Test
    void missingPerfJsonIsMissing() {
        assertThat(step("read-result")).isEqualTo(Map.of("result", "MISSING"));
    }

    @Test
    void jobWhoseDirectoryIsMissingHasNoResult() throws Exception {
        Files.delete(jobDir);
        assertThat(step("read-result")).isEqualTo(Map.of("result", "MISSING"));
    }

    @Test
    void whatReadResultSaysIsWhatRecordRunReads() throws Exception {
        Files.writeString(jobDir.resolve("perf.json"), "{\"perf\":0.5}");
        JobWorkspace.ResultFile back = ResultFileJson.fromJson(StepInputs.JSON.valueToTree(step("read-result")));
        assertThat(back).isInstanceOfSatisfying(JobWorkspace.Content.class,
                c -> assertThat(new String(c.bytes(), StandardCharsets.UTF_8)).isEqualTo("{\"perf\":0.5}"));
    }

    @Test
    void discardRemovesTheJobsDirectoryButNothingItsLinksPointTo() throws Exception {
        Path otherJob = Files.createDirectory(mount.resolve(JobId.random().value()));
        Path theirs = Files.writeString(otherJob.resolve("perf.json"), "{\"perf\":1000}");
        Files.createSymbolicLink(jobDir.resolve("escape"), otherJob);
        Files.createSymbolicLink(jobDir.resolve("perf.json"), theirs);
        Files.createDirectories(jobDir.resolve("nested/deeper"));
        Files.writeString(jobDir.resolve("nested/deeper/model.bin"), "weights");
        mkfifo(jobDir.resolve("pipe"));

        assertThat(step("discard")).isEqualTo(Map.of("discarded", true));

        assertThat(jobDir).doesNotExist();
        assertThat(theirs).hasContent("{\"perf\":1000}");
        assertThat(mount).isDirectory();
    }

    @Test
    void emptyingBeforeARetryKeepsTheDirectoryAndRemovesEverythingInItWithoutFollowingLinks() throws Exception {
        Path otherJob = Files.createDirectory(mount.resolve(JobId.random().value()));
        Path theirs = Files.writeString(otherJob.resolve("perf.json"), "{\"perf\":1000}");
        Files.createSymbolicLink(jobDir.resolve("escape"), otherJob);
        Files.writeString(jobDir.resolve("perf.json"), "{\"perf\":0.5}");
        Files.createDirectories(jobDir.resolve("nested/deeper"));
        mkfifo(jobDir.resolve("pipe"));

        assertThat(discard.handleRequest(input("{\"jobId\":\"" + id + "\",\"keepDirectory\":true}"), null))
                .isEqualTo(Map.of("emptied", true));

        assertThat(jobDir).isEmptyDirectory();
        assertThat(theirs).hasContent("{\"perf\":1000}");
        assertThat(readResult.handleRequest(input("{\"jobId\":\"" + id + "\"}"), null)).containsEntry("result", "MISSING");
    }

    @Test
    void discardIsIdempotent() {
        step("discard");
        assertThat(step("discard")).isEqualTo(Map.of("discarded", true));
    }

    @Test
    void jobIdThatCouldEscapeTheMountIsRefused() {
        assertThatThrownBy(() -> discard.handleRequest(input("{\"jobId\":\"..\"}"), null))
                .isInstanceOf(InvalidInputException.class);
        assertThat(mount).isDirectory();
    }

    @Test
    void configurationNeedsTheMountedRoot() {
        assertThat(WorkspaceConfig.fromEnvironment(Map.of("PERFBOX_WORKSPACE_ROOT", mount.toString())).root())
                .isEqualTo(mount);
        assertThatThrownBy(() -> WorkspaceConfig.fromEnvironment(Map.of()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("PERFBOX_WORKSPACE_ROOT");
        assertThatThrownBy(() -> WorkspaceConfig.fromEnvironment(Map.of("PERFBOX_WORKSPACE_ROOT", mount.resolve("not-mounted").toString())))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("mounted");
        assertThatThrownBy(() -> WorkspaceConfig.fromEnvironment(Map.of("PERFBOX_WORKSPACE_ROOT", "mnt/jobs")))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void linesOfAnInvocationCarryItsJobId() {
        try (CapturedLogLines logs = new CapturedLogLines()) {
            step("discard");

            assertThat(logs.json()).singleElement().satisfies(line -> {
                assertThat(line.path("jobId").asText()).isEqualTo(id.value());
                assertThat(line.path("message").asText()).contains("DiscardWorkspace");
            });
        }
        assertThat(JobLogContext.get()).isNull();
    }
}
