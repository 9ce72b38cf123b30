package io.perfbox.runtime.aws.workflow;

import io.perfbox.adapter.aws.ecr.JobImages;
import io.perfbox.adapter.aws.ecs.JobTasks;
import io.perfbox.adapter.aws.ecs.TaskDefinitions;
import io.perfbox.adapter.aws.logs.RunLogs;
import io.perfbox.adapter.aws.s3.BuildArtifacts;

import java.util.Objects;

/** The AWS resources the workflow steps read and manage for a job, one port each. */
public record WorkflowPorts(BuildArtifacts builds, TaskDefinitions taskDefinitions, JobTasks tasks,
                            JobImages images, RunLogs runLogs) {
    public WorkflowPorts {
        Objects.requireNonNull(builds, "builds");
        Objects.requireNonNull(taskDefinitions, "taskDefinitions");
        Objects.requireNonNull(tasks, "tasks");
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(runLogs, "runLogs");
    }
}
