package io.perfbox.testing.fakes;

import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.JobWorkspace;
import io.perfbox.testing.contract.JobWorkspaceContract;
import java.nio.file.Path;

class InMemoryJobWorkspaceTest extends JobWorkspaceContract {
    private final InMemoryJobWorkspace workspace = new InMemoryJobWorkspace();

    @Override
    protected JobWorkspace workspace() {
        return workspace;
    }

    @Override
    protected void write(JobId id, String name, byte[] content) {
        workspace.write(id, name, content);
    }

    @Override
    protected void link(JobId id, String name, Path target) {
        workspace.link(id, name, target.toString());
    }

    @Override
    protected boolean exists(JobId id) {
        return workspace.exists(id);
    }
}
