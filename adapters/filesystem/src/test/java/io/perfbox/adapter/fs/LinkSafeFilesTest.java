package io.perfbox.adapter.fs;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.port.JobWorkspace;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class LinkSafeFilesTest {
    @TempDir
    Path tmp;

    private Path perfJson() {
        return tmp.resolve("perf.json");
    }

    private static void mkfifo(Path at) throws Exception {
        Process mkfifo = new ProcessBuilder("mkfifo", at.toString()).start();
        assertThat(mkfifo.waitFor()).isZero();
    }

    @Test
    void regularFileWithinTheLimitIsReadWhole() throws Exception {
        Files.writeString(perfJson(), "{\"perf\":0.99}");
        assertThat(LinkSafeFiles.read(perfJson(), 1024)).isInstanceOfSatisfying(JobWorkspace.Content.class,
                c -> assertThat(new String(c.bytes(), StandardCharsets.UTF_8)).isEqualTo("{\"perf\":0.99}"));
    }

    @Test
    void fileOfExactlyTheLimitIsReadAndOneByteMoreIsTooLarge() throws Exception {
        Files.write(perfJson(), new byte[1024]);
        assertThat(LinkSafeFiles.read(perfJson(), 1024)).isInstanceOf(JobWorkspace.Content.class);
        Files.write(perfJson(), new byte[1025]);
        assertThat(LinkSafeFiles.read(perfJson(), 1024)).isEqualTo(new JobWorkspace.TooLarge(1024));
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void hugeFileIsTooLargeWithoutBeingRead() throws Exception {
        try (RandomAccessFile sparse = new RandomAccessFile(perfJson().toFile(), "rw")) {
            sparse.setLength(64L << 30);
        }
        assertThat(LinkSafeFiles.read(perfJson(), 64 * 1024)).isEqualTo(new JobWorkspace.TooLarge(64 * 1024));
    }

    @Test
    void missingFileIsMissing() {
        assertThat(LinkSafeFiles.read(perfJson(), 1024)).isInstanceOf(JobWorkspace.Missing.class);
    }

    @Test
    void fileInAMissingDirectoryIsMissing() {
        assertThat(LinkSafeFiles.read(tmp.resolve("no-such-job").resolve("perf.json"), 1024))
                .isInstanceOf(JobWorkspace.Missing.class);
    }

    @Test
    void linkToAFileIsNotFollowed() throws Exception {
        Path secret = Files.writeString(tmp.resolve("secret"), "{\"perf\":42}");
        Files.createSymbolicLink(perfJson(), secret);
        assertThat(LinkSafeFiles.read(perfJson(), 1024)).isEqualTo(new JobWorkspace.NotRegularFile("symbolic link"));
    }

    @Test
    void danglingLinkIsNotFollowed() throws Exception {
        Files.createSymbolicLink(perfJson(), tmp.resolve("nowhere"));
        assertThat(LinkSafeFiles.read(perfJson(), 1024)).isEqualTo(new JobWorkspace.NotRegularFile("symbolic link"));
    }

    @Test
    void directoryIsNotARegularFile() throws Exception {
        Files.createDirectory(perfJson());
        assertThat(LinkSafeFiles.read(perfJson(), 1024)).isEqualTo(new JobWorkspace.NotRegularFile("directory"));
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void namedPipeIsReportedWithoutBlockingTheReader() throws Exception {
        mkfifo(perfJson());
        assertThat(LinkSafeFiles.read(perfJson(), 1024)).isInstanceOfSatisfying(JobWorkspace.NotRegularFile.class,
                n -> assertThat(n.kind()).contains("pipe"));
    }

    @Test
    void deleteTreeRemovesLinksPipesAndNestedFilesButNeverWhatLinksPointTo() throws Exception {
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        Path precious = Files.writeString(outside.resolve("precious.txt"), "keep me");
        Path job = Files.createDirectory(tmp.resolve("job"));
        Files.createSymbolicLink(job.resolve("escape"), outside);
        Files.createSymbolicLink(job.resolve("perf.json"), precious);
        Files.createDirectories(job.resolve("nested/deeper"));
        Files.writeString(job.resolve("nested/deeper/file"), "x");
        mkfifo(job.resolve("pipe"));

        LinkSafeFiles.deleteTree(job);

        assertThat(job).doesNotExist();
        assertThat(precious).hasContent("keep me");
    }

    @Test
    void deleteTreeOfALinkRemovesOnlyTheLink() throws Exception {
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        Path precious = Files.writeString(outside.resolve("precious.txt"), "keep me");
        Path link = Files.createSymbolicLink(tmp.resolve("job"), outside);

        LinkSafeFiles.deleteTree(link);

        assertThat(Files.exists(link, LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(precious).hasContent("keep me");
    }

    @Test
    void deleteTreeOfNothingIsFine() {
        LinkSafeFiles.deleteTree(tmp.resolve("never-created"));
        assertThat(tmp.resolve("never-created")).doesNotExist();
    }
}
