package io.perfbox.adapter.fs;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.JobWorkspace;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job's workspace is a loop-mounted ext4 file system of its own (needs root, as {@code perfbox serve} does): its
 * bounds are the kernel's, nothing a run writes there is of use to a host user, and it leaves nothing behind.
 */
class HostJobWorkspaceIT {
    private static final long SIZE = 8L * 1024 * 1024;
    @TempDir
    Path tmp;
    private HostJobWorkspace workspace;
    private final JobId job = JobId.random();
    private Path data;

    @BeforeEach
    void prepare() {
        workspace = new HostJobWorkspace(tmp.resolve("ws"), SIZE);
        workspace.prepare(job);
        data = workspace.directoryOf(job);
    }

    @AfterEach
    void unmount() {
        workspace.removeLeftovers();
    }

    @Test
    void preparedWorkspaceIsEmptyAndWritableByTheContainersUserWhoeverItIs() throws Exception {
        assertThat(data).isEmptyDirectory();
        assertThat(Files.getPosixFilePermissions(data)).hasSize(9);
    }

    @Test
    void theWorkspaceIsAFileSystemOfItsOwnMountedNosuidAndNodev() throws Exception {
        String line = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .filter(l -> l.split(" ")[4].equals(data.toString())).findFirst().orElseThrow();
        assertThat(line.split(" ")[5].split(",")).contains("nosuid", "nodev");
        assertThat(line).contains(" - ext4 ");
    }

    @Test
    void hostUsersCanNeitherReachNorForgeTheWorkspace() throws Exception {
        Files.writeString(data.resolve("perf.json"), "{\"perf\":1}");
        assertThat(Files.getPosixFilePermissions(data.getParent())).containsExactlyInAnyOrder(
                PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);
        assertThat(Files.getPosixFilePermissions(tmp.resolve("ws"))).hasSize(3);
        var nobody = asNobody("echo '{\"perf\":999}' > " + data.resolve("perf.json") + "; ls " + data);
        assertThat(nobody.exit).isNotZero();
        assertThat(nobody.output).contains("Permission denied");
        assertThat(Files.readString(data.resolve("perf.json"))).isEqualTo("{\"perf\":1}");
    }

    @Test
    void writesPastTheSizeFailInTheKernelAndTheBoundIsReportedReached() throws Exception {
        assertThat(workspace.full(job, true)).isFalse();
        try (var out = Files.newOutputStream(data.resolve("big"))) {
            byte[] block = new byte[64 * 1024];
            long written = 0;
            try {
                while (written < 4 * SIZE) {
                    out.write(block);
                    written += block.length;
                }
            } catch (IOException e) {
                assertThat(e.getMessage()).containsIgnoringCase("space");
            }
            assertThat(written).isLessThan(workspace.imageBytes());
        }
        assertThat(workspace.full(job, false)).isTrue();
    }

    @Test
    void aFileDeletedWhileHeldOpenStillCounts() throws Exception {
        try (var ch = FileChannel.open(data.resolve("held"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            Files.delete(data.resolve("held"));
            ByteBuffer b = ByteBuffer.allocate(64 * 1024);
            try {
                for (long w = 0; w < 4 * SIZE; w += b.capacity()) {
                    b.clear();
                    ch.write(b);
                }
            } catch (IOException e) {
                // ENOSPC: the kernel's bound
            }
            assertThat(data).isEmptyDirectory();
            assertThat(workspace.full(job, false)).isTrue();
        }
    }

    @Test
    void filesAreBoundedByTheInodesAndTheBoundIsReportedReached() throws Exception {
        int made = 0;
        try {
            for (; made < 100_000; made++) {
                Files.createFile(data.resolve("f" + made));
            }
        } catch (IOException e) {
            assertThat(e.getMessage()).containsIgnoringCase("space");
        }
        assertThat((long) made).isLessThanOrEqualTo(workspace.inodes());
        assertThat(workspace.full(job, true)).isTrue();
    }

    @Test
    void discardUnmountsAndRemovesTheImage() throws Exception {
        workspace.discard(job);
        assertThat(HostJobWorkspace.mountsUnder(tmp)).isEmpty();
        assertThat(data.getParent()).doesNotExist();
    }

    @Test
    void leftoversOfAnEarlierServerAreUnmountedAndRemovedAtStart() throws Exception {
        JobId other = JobId.random();
        workspace.prepare(other);
        var restarted = new HostJobWorkspace(tmp.resolve("ws"), SIZE);
        assertThat(restarted.removeLeftovers()).isEqualTo(2);
        assertThat(HostJobWorkspace.mountsUnder(tmp)).isEmpty();
        assertThat(tmp.resolve("ws")).isEmptyDirectory();
    }

    @Test
    void aServerThatCanMountPassesItsStartCheck() {
        workspace.requireMountable();
        assertThat(HostJobWorkspace.mountsUnder(tmp.resolve("ws"))).allMatch(p -> p.startsWith(data.getParent()));
    }

    record Shell(int exit, String output) {
    }

    static Shell asNobody(String script) throws Exception {
        Process p = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "sh", "-c", script)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        return new Shell(p.waitFor(), out);
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
