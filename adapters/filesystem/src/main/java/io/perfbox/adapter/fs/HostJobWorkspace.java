package io.perfbox.adapter.fs;

import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.JobWorkspace;
import io.perfbox.core.workspace.LinkSafeFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Each job's /data is {@code <root>/<jobId>/data} on the host. The result is read from the host side as a
 * regular file only: links the container planted are never followed, and at most a bounded number of bytes is read
 * ({@link LinkSafeFiles}, shared with the AWS runtime).
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
        return LinkSafeFiles.read(directoryOf(id).resolve(RESULT_FILE), maxBytes);
    }

    @Override
    public void discard(JobId id) {
        LinkSafeFiles.deleteTree(root.resolve(id.value()));
    }
}
