package io.perfbox.testing.fakes;

import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.lifecycle.JobResources;
import io.perfbox.core.port.JobStore;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * JobResources that record every release with what the job store held for the job at that moment (so a test can
 * prove the resources went before the terminal status was written) and whether the releasing thread was
 * interrupted; then release through a delegate (e.g. HostJobResources over the scripted adapters), and throw if told.
 */
public class RecordingJobResources implements JobResources {

    /** One release: the job, its stored status then (empty when it was gone), and whether the thread was interrupted. */
    public record Release(JobId id, Optional<JobStatus> storedStatus, boolean threadInterrupted) {
    }

    private final JobStore jobs;
    private final JobResources delegate;
    private final List<Release> releases = new CopyOnWriteArrayList<>();
    private volatile RuntimeException failure;

    /** Records only; releases nothing. */
    public RecordingJobResources(JobStore jobs) {
        this(jobs, JobResources.RELEASED_ELSEWHERE);
    }

    public RecordingJobResources(JobStore jobs, JobResources delegate) {
        this.jobs = Objects.requireNonNull(jobs, "jobs");
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** Every following release records, releases, then throws {@code failure}, as a broken release would. */
    public void willThrow(RuntimeException failure) {
        this.failure = failure;
    }

    @Override
    public void release(JobId id) {
        releases.add(new Release(id, jobs.find(id).map(Job::status), Thread.currentThread().isInterrupted()));
        delegate.release(id);
        RuntimeException f = failure;
        if (f != null) {
            throw f;
        }
    }

    public List<Release> releases() {
        return List.copyOf(releases);
    }

    /** The jobs released, one entry per release, in order. */
    public List<JobId> released() {
        return releases.stream().map(Release::id).toList();
    }
}
