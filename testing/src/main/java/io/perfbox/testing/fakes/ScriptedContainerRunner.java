package io.perfbox.testing.fakes;

import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.ContainerRunner;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A ContainerRunner that answers what the test scripted (by default: exit code 0) and records every call. */
public class ScriptedContainerRunner extends ScriptedStep<ContainerRunner.RunOutcome> implements ContainerRunner {

    public record RunCall(JobId id, String imageRef, RunLimits limits) {
    }

    private final List<RunCall> runs = new CopyOnWriteArrayList<>();
    private final List<JobId> removed = new CopyOnWriteArrayList<>();

    public ScriptedContainerRunner() {
        super(new Exited(0, new CapturedLog("run output", false)));
    }

    @Override
    public RunOutcome run(JobId id, String imageRef, RunLimits limits) throws InterruptedException {
        runs.add(new RunCall(id, imageRef, limits));
        return play();
    }

    @Override
    public void remove(JobId id) {
        removed.add(id);
    }

    public List<RunCall> runs() {
        return List.copyOf(runs);
    }

    public List<JobId> removed() {
        return List.copyOf(removed);
    }
}
