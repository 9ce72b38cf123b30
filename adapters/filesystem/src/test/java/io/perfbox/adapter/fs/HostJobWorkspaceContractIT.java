package io.perfbox.adapter.fs;

import io.perfbox.core.domain.JobId;
import io.perfbox.testing.contract.JobWorkspaceContract;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** The host's loop-mounted workspaces hold to the port's contract (needs root, as {@code perfbox serve} does). */
class HostJobWorkspaceContractIT extends JobWorkspaceContract {
    @TempDir
    Path root;
    private HostJobWorkspace workspace;

    @Override
    protected HostJobWorkspace workspace() {
        if (workspace == null) {
            workspace = new HostJobWorkspace(root.resolve("ws"), 8L * 1024 * 1024);
        }
        return workspace;
    }

    @AfterEach
    void unmountEverything() {
        workspace().removeLeftovers();
    }

    @Override
    protected void write(JobId id, String name, byte[] content) throws Exception {
        Files.write(workspace().directoryOf(id).resolve(name), content);
    }

    @Override
    protected void link(JobId id, String name, Path target) throws Exception {
        Files.createSymbolicLink(workspace().directoryOf(id).resolve(name), target);
    }

    @Override
    protected boolean exists(JobId id) {
        return Files.exists(workspace().directoryOf(id).getParent(),
                LinkOption.NOFOLLOW_LINKS);
    }
}
