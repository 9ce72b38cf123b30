package io.perfbox.testing.fakes;

import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.ImageBuilder;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import io.perfbox.core.port.LogSink;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An ImageBuilder that answers what the test scripted (by default: built) and records every call. */
public class ScriptedImageBuilder extends ScriptedStep<ImageBuilder.BuildOutcome> implements ImageBuilder {
    public static final String IMAGE_REF = "perfbox-test/image:scripted";

    public record BuildCall(JobId id, String tenant, Dockerfile dockerfile, Duration timeout) {
    }

    private final List<BuildCall> builds = new CopyOnWriteArrayList<>();
    private final List<JobId> removed = new CopyOnWriteArrayList<>();

    public ScriptedImageBuilder() {
        super(new Built(IMAGE_REF, new CapturedLog("build output", false)));
    }

    @Override
    public BuildOutcome build(JobId id, String tenant, Dockerfile dockerfile, Duration timeout,
            LogSink output) throws InterruptedException {
        builds.add(new BuildCall(id, tenant, dockerfile, timeout));
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

    public List<BuildCall> builds() {
        return List.copyOf(builds);
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
