package io.perfbox.runtime.aws.workflow;

import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.Runs;
import io.perfbox.core.port.ContainerRunner;
import io.perfbox.core.port.JobArtifactStore;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import io.perfbox.core.port.JobArtifactStore.LogKind;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The run log of a job of several runs, one log for all of them as the local runtime keeps it: each run's output after
 * a line {@code [perfbox] run k of n}, the runs in order. Each run is a task of its own on AWS, so RecordRun joins the
 * log stored after the runs before (in S3) with this task's (from CloudWatch Logs), and the lifecycle stores the whole.
 * Each run keeps the first {@code 1 MiB / n} of its output, so the log stays within the 1 MiB a step keeps.
 */
final class RepeatedRunLog {
    private static final Logger LOG = Logger.getLogger(RepeatedRunLog.class.getName());
    private RepeatedRunLog() {
    }

    /** How much of one run's output is kept: the step's limit shared by the job's runs. */
    static int bytesPerRun(Runs runs, int stepLimitBytes) {
        return stepLimitBytes / Math.max(1, runs.requested());
    }

    /** The line before run {@code number}'s output. */
    static String marker(Runs runs, int number) {
        return "[perfbox] " + runs.label(number) + "\n";
    }

    /**
     * {@code outcome} with its log made the job's run log so far: the stored log of the runs before {@code number}
     * (cut before this run's marker, should an earlier try of this step have stored it), the marker, then this run's
     * own output. A job of one run, or a run that is not the one due (a repeat, which the lifecycle ignores), is left
     * as it is.
     */
    static ContainerRunner.RunOutcome joined(JobId id, Runs runs, int number, ContainerRunner.RunOutcome outcome,
                                             JobArtifactStore stored) {
        if (runs.requested() <= 1 || number != runs.next()) {
            return outcome;
        }
        CapturedLog earlier = number == 1 ? CapturedLog.EMPTY : earlierRuns(id, stored);
        String before = earlier.text();
        String marker = marker(runs, number);
        int repeated = before.indexOf(marker);
        if (repeated >= 0) {
            before = before.substring(0, repeated);
        }
        CapturedLog own = outcome.log();
        return withLog(outcome, new CapturedLog(before + marker + own.text(), earlier.truncated() || own.truncated()));
    }

    /** The stored log of the earlier runs; a store that cannot be read loses them from the log, never the run. */
    private static CapturedLog earlierRuns(JobId id, JobArtifactStore stored) {
        try {
            return stored.log(id, LogKind.RUN).orElse(CapturedLog.EMPTY);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "job " + id + ": the earlier runs' log could not be read; this run's is stored alone", e);
            return new CapturedLog("[perfbox] the earlier runs' output could not be read\n", true);
        }
    }

    private static ContainerRunner.RunOutcome withLog(ContainerRunner.RunOutcome outcome, CapturedLog log) {
        return switch (outcome) {
            case ContainerRunner.Exited e -> new ContainerRunner.Exited(e.exitCode(), log, e.oomKilled());
            case ContainerRunner.TimedOut t -> new ContainerRunner.TimedOut(t.after(), log);
            case ContainerRunner.OutOfMemory o -> new ContainerRunner.OutOfMemory(o.exitCode(), log);
            case ContainerRunner.DiskLimitExceeded d -> new ContainerRunner.DiskLimitExceeded(d.area(), d.limitBytes(), log);
            case ContainerRunner.FailedToStart f -> new ContainerRunner.FailedToStart(f.reason(), log);
        };
    }
}
