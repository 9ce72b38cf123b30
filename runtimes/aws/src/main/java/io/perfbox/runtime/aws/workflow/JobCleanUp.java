package io.perfbox.runtime.aws.workflow;

import io.perfbox.adapter.aws.JobAdmissions;
import io.perfbox.adapter.aws.codebuild.JobBuilds;
import io.perfbox.adapter.aws.ecr.JobImages;
import io.perfbox.adapter.aws.ecs.JobTasks;
import io.perfbox.adapter.aws.ecs.TaskDefinitions;
import io.perfbox.core.domain.JobId;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Stops what a job still runs on AWS (its builds, by id, and its tasks) and removes what its run used (task
 * definitions, image), for {@link CleanUpHandler}, {@link ExecutionEndedHandler} and the
 * reconciler's sweep. Every part is attempted even when another fails, then the clean-up fails naming each part that
 * did; idempotent. The builds are stopped first, so that none pushes an image after the image was deleted. A new kind
 * of per-job resource is one more part here and one more inventory for the sweep
 * ({@link io.perfbox.adapter.aws.JobResourceInventory}).
 */
public record JobCleanUp(JobBuilds builds, JobTasks tasks, TaskDefinitions taskDefinitions, JobImages images,
                         JobAdmissions admissions) {
    private static final Logger LOG = Logger.getLogger(JobCleanUp.class.getName());

    /** Without a cap on jobs in flight. */
    public JobCleanUp(JobBuilds builds, JobTasks tasks, TaskDefinitions taskDefinitions, JobImages images) {
        this(builds, tasks, taskDefinitions, images, JobAdmissions.NONE);
    }

    void run(JobId id) {
        List<RuntimeException> problems = new ArrayList<>();
        attempt(problems, id, "stop its builds", () -> builds.stopInProgress(id));
        attempt(problems, id, "stop its tasks", () -> tasks.stopAll(id, "perfbox: the job's workflow ended"));
        // Its slot among the jobs in flight, once nothing of it runs any more (else the next clean-up gives it back).
        if (problems.isEmpty()) {
            attempt(problems, id, "release its admission", () -> admissions.release(id));
        }
        attempt(problems, id, "remove its task definitions", () -> taskDefinitions.removeAll(id));
        attempt(problems, id, "delete its image", () -> images.delete(id));
        if (!problems.isEmpty()) {
            IllegalStateException failed = new IllegalStateException("clean-up of job " + id + " is incomplete: "
                    + String.join("; ", problems.stream().map(Throwable::getMessage).toList()));
            problems.forEach(failed::addSuppressed);
            throw failed;
        }
    }

    private static void attempt(List<RuntimeException> problems, JobId id, String what, Runnable part) {
        try {
            part.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "job " + id + ": could not " + what, e);
            problems.add(new IllegalStateException("could not " + what + ": " + e.getMessage(), e));
        }
    }
}
