package io.perfbox.adapter.fs;

import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.JobWorkspace;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Each job's /data is a file system of its own: an ext4 image {@code <root>/<jobId>/data.img} of the job's data size,
 * loop-mounted {@code nosuid,nodev} at {@code <root>/<jobId>/data}. The kernel bounds what a run stores there, bytes
 * and files alike (a file deleted while held open still holds its blocks), and a setuid or device file written there
 * confers nothing. {@code <root>} and {@code <root>/<jobId>} are {@code 0700} and owned by the server's user (root),
 * so no other host user can reach the job's files, run what it wrote, or forge its perf.json. The result is read
 * from the host side as a regular file only ({@link LinkSafeFiles}).
 */
public class HostJobWorkspace implements JobWorkspace {
    public static final String RESULT_FILE = "perf.json";
    private static final Logger LOG = Logger.getLogger(HostJobWorkspace.class.getName());
    private static final String IMAGE = "data.img";
    /** ext4's usual bytes per inode: a run may make one file per 16 KiB of its limit (at least 1,024). */
    static final long BYTES_PER_INODE = 16 * 1024;
    private static final long MIN_INODES = 1024;
    private static final long COMMAND_SECONDS = 60;

    private final Path root;
    private final long dataBytes;

    /** Workspaces of {@code dataBytes} each (the most a run may store under /data). */
    public HostJobWorkspace(Path root, long dataBytes) {
        if (dataBytes < 1024 * 1024) {
            throw new IllegalArgumentException("the data size must be at least 1 MiB");
        }
        this.root = root.toAbsolutePath().normalize();
        this.dataBytes = dataBytes;
    }

    /** The host directory mounted at /data for the job (the mount point of its file system). */
    public Path directoryOf(JobId id) {
        return root.resolve(id.value()).resolve("data");
    }

    /** Inodes of a job's file system: files and directories a run may make. */
    long inodes() {
        return Math.max(MIN_INODES, dataBytes / BYTES_PER_INODE);
    }

    /**
     * The image's size: the limit plus ext4's own metadata (inode tables, bitmaps, the clusters it reserves), so that
     * a run can store its whole limit and the kernel stops it shortly after: past {@link #full} (a little over the
     * limit) writes fail with ENOSPC. The host's disk grows by at most this per running job.
     */
    long imageBytes() {
        return dataBytes + dataBytes / 16 + inodes() * 256 + 2 * 1024 * 1024;
    }

    /**
     * Fails unless this process can make and mount a job's file system (root, {@code mkfs.ext4}, loop devices), with
     * a message that says what is missing: {@code serve} calls it at start.
     */
    public void requireMountable() {
        JobId probe = JobId.random();
        try {
            prepare(probe);
        } catch (RuntimeException e) {
            throw new IllegalStateException("each job's /data is a loop-mounted ext4 file system, which needs root,"
                    + " mkfs.ext4 and loop devices: " + e.getMessage() + " (run perfbox serve as root; see README, Disk)", e);
        } finally {
            try {
                discard(probe);
            } catch (RuntimeException e) {
                // reported by the prepare above
            }
        }
    }

    @Override
    public void prepare(JobId id) {
        discard(id);
        Path job = root.resolve(id.value());
        Path dir = directoryOf(id);
        Path image = job.resolve(IMAGE);
        try {
            ownerOnly(root);
            Files.createDirectories(job);
            ownerOnly(job);
            Files.createDirectory(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            // Sparse: the host's disk is spent as the run writes, never beyond the image's size.
            try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
                f.setLength(imageBytes());
            }
            // No journal (a job's data does not outlive a crash), no blocks reserved for root.
            run("mkfs.ext4", "-q", "-F", "-b", "4096", "-m", "0", "-N", Long.toString(inodes()),
                    "-O", "^has_journal", "-E", "root_owner=0:0,lazy_itable_init=0", image.toString());
            run("mount", "-t", "ext4", "-o", "loop,nosuid,nodev,noatime", image.toString(), dir.toString());
            Files.deleteIfExists(dir.resolve("lost+found"));
            // The image may run as any user: its /data must be writable for it. Host users never get this far (the
            // parents are 0700), and nosuid,nodev make what a run leaves there inert.
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        } catch (IOException e) {
            throw new UncheckedIOException("could not prepare the workspace of job " + id + ": " + e.getMessage(), e);
        }
    }

    /**
     * Whether the job's file system is at its bound: more than the limit stored (deleted-but-open files included),
     * or, when {@code countFiles}, no inode left (that look runs {@code stat}, so callers make it less often).
     */
    public boolean full(JobId id, boolean countFiles) {
        Path dir = directoryOf(id);
        try {
            FileStore store = Files.getFileStore(dir);
            if (!isMountPoint(dir)) {
                return false;
            }
            long used = store.getTotalSpace() - store.getUnallocatedSpace();
            if (used > dataBytes || store.getUsableSpace() == 0) {
                return true;
            }
            if (countFiles) {
                String free = run("stat", "-f", "-c", "%d", dir.toString()).strip();
                return Long.parseLong(free) == 0;
            }
            return false;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public ResultFile readResult(JobId id, int maxBytes) {
        return LinkSafeFiles.read(directoryOf(id).resolve(RESULT_FILE), maxBytes);
    }

    @Override
    public void discard(JobId id) {
        Path job = root.resolve(id.value());
        unmount(directoryOf(id));
        LinkSafeFiles.deleteTree(job);
    }

    /**
     * At start: unmounts and removes every workspace left under the root (a server that was killed, a power loss);
     * no job runs yet, so all of them are leftovers. Returns how many were removed.
     */
    public int removeLeftovers() {
        for (Path mount : mountsUnder(root)) {
            unmount(mount);
        }
        if (!Files.isDirectory(root)) {
            return 0;
        }
        List<Path> jobs = new ArrayList<>();
        try (Stream<Path> s = Files.list(root)) {
            s.forEach(jobs::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        jobs.forEach(LinkSafeFiles::deleteTree);
        return jobs.size();
    }

    private static void ownerOnly(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }

    private static boolean isMountPoint(Path dir) {
        return mountsUnder(dir).contains(dir);
    }

    /** Mount points at or under {@code dir}, deepest first, from /proc/self/mountinfo. */
    static List<Path> mountsUnder(Path dir) {
        List<Path> found = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
                String[] f = line.split(" ");
                if (f.length > 4) {
                    Path p = Path.of(unescape(f[4]));
                    if (p.startsWith(dir)) {
                        found.add(p);
                    }
                }
            }
        } catch (IOException e) {
            // no /proc: nothing mounted that we could see
        }
        found.sort(Comparator.comparingInt(Path::getNameCount).reversed());
        return found;
    }

    private static String unescape(String s) {
        return s.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }

    /** Unmounts every file system at or under dir; lazily when busy (freed when its last user lets go). */
    private static void unmount(Path dir) {
        for (Path mount : mountsUnder(dir)) {
            try {
                run("umount", mount.toString());
            } catch (RuntimeException e) {
                try {
                    run("umount", "-l", mount.toString());
                } catch (RuntimeException lazy) {
                    LOG.warning("could not unmount " + mount + ": " + lazy.getMessage());
                }
            }
        }
    }

    private static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readNBytes(64 * 1024);
            if (!p.waitFor(COMMAND_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(command[0] + " did not finish in " + COMMAND_SECONDS + " s");
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed (exit " + p.exitValue() + "): "
                        + text.strip());
            }
            return text;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command[0] + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command[0], e);
        }
    }
}
