package io.perfbox.core.lifecycle;

import io.perfbox.core.domain.Failure;
import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.port.JobStore;
import io.perfbox.core.port.PipelineLauncher;
import java.time.Clock;
import java.util.EnumSet;

/**
 * After a crash or restart: jobs still QUEUED are started again; jobs caught mid-build, mid-scan or mid-run
 * end FAILED/INTERRUPTED (their build or container did not survive), so no job is left stuck.
 */
public class JobRecovery {
    private final JobStore jobs;
    private final PipelineLauncher launcher;
    private final Clock clock;

    public JobRecovery(JobStore jobs, PipelineLauncher launcher, Clock clock) {
        this.jobs = jobs;
        this.launcher = launcher;
        this.clock = clock;
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
            } else {
                Job failed = job.failed(Failure.of(FailureCode.INTERRUPTED,
                        "perfbox stopped while the job was " + job.status() + "; submit it again"), clock.instant());
                if (jobs.update(failed, EnumSet.of(job.status()))) {
                    interrupted++;
                }
            }
        }
        return new Recovered(resumed, interrupted);
    }
}
