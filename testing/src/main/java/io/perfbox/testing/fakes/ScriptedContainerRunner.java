package io.perfbox.testing.fakes;

import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.ContainerRunner;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import io.perfbox.core.port.LogSink;
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
    public RunOutcome run(JobId id, String imageRef, RunLimits limits, LogSink output)
            throws InterruptedException {
        runs.add(new RunCall(id, imageRef, limits));
        String printed = prints;
        if (printed != null) {
            output.write(printed);
        }
        return play();
    }

    @Override
    public void remove(JobId id) {
        removed.add(id);
    }

    public List<RunCall> runs() {
        return List.copyOf(runs);
    }

    private volatile String prints;

    /**
     * Every following call writes {@code text} to its output as it starts (before a held call waits), as a real step
     * prints while it works; by default nothing is written there and the outcome's log is all there is.
     */
    public void willPrint(String text) {
        prints = text;
    }

    public List<JobId> removed() {
        return List.copyOf(removed);
    }
}
