package io.perfbox.runtime.aws.workflow;

import io.perfbox.adapter.aws.AwsJobNames;
import io.perfbox.adapter.aws.AwsJson;
import io.perfbox.adapter.aws.ecs.TaskDefinitions;
import io.perfbox.adapter.aws.efs.AccessPoints;
import io.perfbox.adapter.aws.iam.JobRoles;
import io.perfbox.core.domain.JobId;
import java.util.Map;

/**
 * The PrepareRun state: {jobId, imageUri} → {taskDefinitionArn, accessPointId}: the job's own EFS access point (its
 * /data), the job's own task role (allowed that access point only), then a task definition that runs only this job's
 * image, as that role, with the access point mounted.
 */
public class PrepareRunHandler extends WorkflowStep {
    private final AccessPoints accessPoints;
    private final JobRoles roles;
    private final TaskDefinitions taskDefinitions;
    private final String ecrRepository;

    /** For Lambda: EFS, IAM and ECS, built once per container. */
    public PrepareRunHandler() {
        this(WorkflowRuntime.ports().accessPoints(), WorkflowRuntime.ports().roles(),
                WorkflowRuntime.ports().taskDefinitions(), WorkflowRuntime.config().ecrRepository());
    }

    public PrepareRunHandler(AccessPoints accessPoints, JobRoles roles, TaskDefinitions taskDefinitions,
                             String ecrRepository) {
        this.accessPoints = accessPoints;
        this.roles = roles;
        this.taskDefinitions = taskDefinitions;
        this.ecrRepository = ecrRepository;
    }

    @Override
    protected Map<String, Object> step(JobId id, Input in) {
        String imageUri = in.required("imageUri");
        if (!AwsJobNames.isJobImage(ecrRepository, id, imageUri)) {
            // Checked before anything is created: an image the state was handed by mistake never gets a task.
            throw new IllegalArgumentException("prepare-run was given " + AwsJson.shortened(imageUri, 200)
                    + ", which is not this job's image");
        }
        String accessPointId = accessPoints.create(id);
        String roleArn = roles.create(id, accessPointId);
        String taskDefinitionArn = taskDefinitions.register(id, imageUri, accessPointId, roleArn);
        return output("taskDefinitionArn", taskDefinitionArn, "accessPointId", accessPointId);
    }
}
