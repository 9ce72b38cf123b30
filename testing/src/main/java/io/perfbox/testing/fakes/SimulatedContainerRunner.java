package io.perfbox.testing.fakes;

import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.ContainerRunner;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import io.perfbox.core.port.LogSink;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A ContainerRunner in memory that runs the command of an image {@link SimulatedImageBuilder} built, in
 * {@link SimulatedShell}, with the job's {@link InMemoryJobWorkspace} as its /data: it reports the exit code and
 * output, holds the time limit and stops when interrupted. Holds to ContainerRunnerContract.
 */
public class SimulatedContainerRunner implements ContainerRunner {
    private final SimulatedImageBuilder images;
    private final InMemoryJobWorkspace workspace;
    private final Set<JobId> running = ConcurrentHashMap.newKeySet();

    public SimulatedContainerRunner(SimulatedImageBuilder images, InMemoryJobWorkspace workspace) {
        this.images = images;
        this.workspace = workspace;
    }

    @Override
    public RunOutcome run(JobId id, String imageRef, RunLimits limits, LogSink output) throws InterruptedException {
        Optional<String> command = images.commandOf(imageRef);
        if (command.isEmpty()) {
            return new FailedToStart("no such image: " + imageRef, CapturedLog.EMPTY);
        }
        if (!workspace.exists(id)) {
            return new FailedToStart("no workspace to mount at /data", CapturedLog.EMPTY);
        }
        running.add(id);
        try {
            SimulatedShell.Ended ended = SimulatedShell.run(command.get(), new SimulatedShell.Data() {
                @Override
                public void write(String name, byte[] content) {
                    workspace.write(id, name, content);
                }

                @Override
                public void link(String name, String target) {
                    workspace.link(id, name, target);
                }
            }, output, System.nanoTime() + limits.timeout().toNanos());
            CapturedLog log = new CapturedLog(ended.output(), false);
            return ended.exitCode().<RunOutcome>map(code -> new Exited(code, log))
                    .orElseGet(() -> new TimedOut(limits.timeout(), log));
        } finally {
            running.remove(id);
        }
    }

    @Override
    public void remove(JobId id) {
        running.remove(id);
    }

    /** Whether the job's run is under way. */
    public boolean running(JobId id) {
        return running.contains(id);
    }

}
