package io.perfbox.core.lifecycle;

import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.ContainerRunner;
import io.perfbox.core.port.ImageBuilder;
import io.perfbox.core.port.JobWorkspace;
import java.util.logging.Level;
import java.util.logging.Logger;

/** A job's resources on the machine that builds and runs it: its container, its image, its workspace. */
public final class HostJobResources implements JobResources {
    private static final Logger LOG = Logger.getLogger(HostJobResources.class.getName());

    private final ContainerRunner runner;
    private final ImageBuilder builder;
    private final JobWorkspace workspace;

    public HostJobResources(ContainerRunner runner, ImageBuilder builder, JobWorkspace workspace) {
        this.runner = runner;
        this.builder = builder;
        this.workspace = workspace;
    }

    /** Each part even when another fails: the container first (it holds the image and the workspace). */
    @Override
    public void release(JobId id) {
        attempt(id, "container", () -> runner.remove(id));
        attempt(id, "image", () -> builder.remove(id));
        attempt(id, "workspace", () -> workspace.discard(id));
    }

    private static void attempt(JobId id, String what, Runnable part) {
        try {
            part.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not remove the " + what + " of job " + id, e);
        }
    }
}
