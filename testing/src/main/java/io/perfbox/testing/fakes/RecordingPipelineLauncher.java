package io.perfbox.testing.fakes;

import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.PipelineLauncher;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A PipelineLauncher that only records which jobs it was asked to start and stop. */
public class RecordingPipelineLauncher implements PipelineLauncher {
    private final List<JobId> started = new CopyOnWriteArrayList<>();
    private final List<JobId> stopped = new CopyOnWriteArrayList<>();

    @Override
    public void start(JobId id) {
        started.add(id);
    }

    @Override
    public void stop(JobId id) {
        stopped.add(id);
    }

    public List<JobId> started() {
        return List.copyOf(started);
    }

    public List<JobId> stopped() {
        return List.copyOf(stopped);
    }
}
