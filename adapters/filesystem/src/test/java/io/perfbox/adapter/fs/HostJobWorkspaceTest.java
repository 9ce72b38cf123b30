package io.perfbox.adapter.fs;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.JobWorkspace;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class HostJobWorkspaceTest {
    @TempDir
    Path tmp;
    private HostJobWorkspace workspace;
    private final JobId job = JobId.random();
    private Path data;

    @BeforeEach
    void prepare() {
        workspace = new HostJobWorkspace(tmp.resolve("ws"));
        workspace.prepare(job);
        data = workspace.directoryOf(job);
    }

    @Test
    void preparedWorkspaceIsEmptyAndWritableByAnyUser() throws Exception {
        assertThat(data).isEmptyDirectory();
        assertThat(Files.getPosixFilePermissions(data)).hasSize(9);
    }

    @Test
    void regularFileIsRead() throws Exception {
        Files.writeString(data.resolve("perf.json"), "{\"perf\":0.99}");
        assertThat(workspace.readResult(job, 1024)).isInstanceOfSatisfying(JobWorkspace.Content.class,
                c -> assertThat(new String(c.bytes(), StandardCharsets.UTF_8)).isEqualTo("{\"perf\":0.99}"));
    }

    @Test
    void missingFileIsMissing() {
        assertThat(workspace.readResult(job, 1024)).isInstanceOf(JobWorkspace.Missing.class);
    }

    @Test
    void linkPlantedAtPerfJsonIsNotFollowed() throws Exception {
        Path secret = Files.writeString(tmp.resolve("host-secret"), "42");
        Files.createSymbolicLink(data.resolve("perf.json"), secret);
        assertThat(workspace.readResult(job, 1024)).isInstanceOfSatisfying(JobWorkspace.NotRegularFile.class,
                n -> assertThat(n.kind()).contains("link"));
    }

    @Test
    void directoryAtPerfJsonIsNotARegularFile() throws Exception {
        Files.createDirectory(data.resolve("perf.json"));
        assertThat(workspace.readResult(job, 1024)).isInstanceOf(JobWorkspace.NotRegularFile.class);
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void namedPipeAtPerfJsonNeverBlocksTheReader() throws Exception {
        Process mkfifo = new ProcessBuilder("mkfifo", data.resolve("perf.json").toString()).start();
        assertThat(mkfifo.waitFor()).isZero();
        assertThat(workspace.readResult(job, 1024)).isInstanceOf(JobWorkspace.NotRegularFile.class);
    }

    @Test
    void fileOverTheLimitIsTooLarge() throws Exception {
        Files.write(data.resolve("perf.json"), new byte[2048]);
        assertThat(workspace.readResult(job, 1024)).isInstanceOf(JobWorkspace.TooLarge.class);
    }

    @Test
    void discardRemovesLinksButNeverWhatTheyPointTo() throws Exception {
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        Path precious = Files.writeString(outside.resolve("precious.txt"), "keep me");
        Files.createSymbolicLink(data.resolve("escape"), outside);
        Files.createDirectories(data.resolve("nested/deeper"));
        Files.writeString(data.resolve("nested/deeper/file"), "x");
        workspace.discard(job);
        assertThat(data).doesNotExist();
        assertThat(precious).hasContent("keep me");
    }
}
