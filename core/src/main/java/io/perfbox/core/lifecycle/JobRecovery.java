package io.perfbox.core.lifecycle;

import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.port.JobStore;
import io.perfbox.core.port.PipelineLauncher;

/**
 * After a crash or restart: jobs still QUEUED are started again; jobs caught mid-build, mid-scan or mid-run
 * end FAILED/INTERRUPTED (their build or container did not survive), so no job is left stuck.
 */
public class JobRecovery {
    private final JobStore jobs;
    private final JobLifecycle lifecycle;
    private final PipelineLauncher launcher;

    public JobRecovery(JobStore jobs, JobLifecycle lifecycle, PipelineLauncher launcher) {
        this.jobs = jobs;
        this.lifecycle = lifecycle;
        this.launcher = launcher;
    }

    public record Recovered(int resumed, int interrupted) {
    }

    public Recovered recover() {
        int resumed = 0;
        int interrupted = 0;
        for (Job job : jobs.findUnfinished()) {
            if (job.status() == JobStatus.QUEUED) {
                launcher.start(job.id());
                resumed++;
            } else if (lifecycle.interrupted(job.id()) == JobLifecycle.Next.ENDED) {
                interrupted++;
            }
        }
        return new Recovered(resumed, interrupted);
    }
}
