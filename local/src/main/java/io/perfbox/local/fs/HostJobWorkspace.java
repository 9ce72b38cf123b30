package io.perfbox.local.fs;

import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.JobWorkspace;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Each job's /data is {@code <root>/<jobId>/data} on the host. The result is read from the host side as a
 * regular file only: links the container planted are never followed, and at most a bounded number of bytes is read.
 */
public class HostJobWorkspace implements JobWorkspace {
    public static final String RESULT_FILE = "perf.json";
    private final Path root;

    public HostJobWorkspace(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /** The host directory mounted at /data for the job. */
    public Path directoryOf(JobId id) {
        return root.resolve(id.value()).resolve("data");
    }

    @Override
    public void prepare(JobId id) {
        discard(id);
        Path dir = directoryOf(id);
        try {
            Files.createDirectories(dir);
            // The image may run as any user: the directory must be writable for it. Only this job's container
            // mounts it, and its parent is not shared with anyone.
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        } catch (IOException e) {
            throw new UncheckedIOException("could not prepare the workspace of job " + id, e);
        }
    }

    @Override
    public ResultFile readResult(JobId id, int maxBytes) {
        Path file = directoryOf(id).resolve(RESULT_FILE);
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return new Missing();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!attrs.isRegularFile()) {
            return new NotRegularFile(kindOf(attrs));
        }
        if (attrs.size() > maxBytes) {
            return new TooLarge(maxBytes);
        }
        // NOFOLLOW_LINKS on open too: a link swapped in after the check above is refused (ELOOP), not followed.
        try (SeekableByteChannel ch = Files.newByteChannel(file,
                Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
             InputStream in = Channels.newInputStream(ch)) {
            byte[] bytes = in.readNBytes(maxBytes + 1);
            return bytes.length > maxBytes ? new TooLarge(maxBytes) : new Content(bytes);
        } catch (NoSuchFileException e) {
            return new Missing();
        } catch (FileSystemException e) {
            return new NotRegularFile("file that cannot be opened safely (" + e.getReason() + ")");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String kindOf(BasicFileAttributes attrs) {
        if (attrs.isSymbolicLink()) {
            return "symbolic link";
        }
        if (attrs.isDirectory()) {
            return "directory";
        }
        return "special file (pipe, socket or device)";
    }

    @Override
    public void discard(JobId id) {
        Files2.deleteTree(root.resolve(id.value()));
    }
}
