package io.perfbox.runtime.aws.workflow;

import io.perfbox.adapter.aws.AwsJobNames;
import io.perfbox.adapter.aws.AwsJson;
import io.perfbox.adapter.aws.ecs.TaskDefinitions;
import io.perfbox.core.domain.JobId;
import java.util.Map;

/**
 * The PrepareRun state: {jobId, imageUri} → {taskDefinitionArn}: a task definition that runs only this job's image,
 * with no task role and a /data of its own task ({@link io.perfbox.adapter.aws.ecs.EcsTaskDefinitions}). It makes
 * no IAM call: nothing per job is created in IAM.
 */
public class PrepareRunHandler extends WorkflowStep {
    private final TaskDefinitions taskDefinitions;
    private final String ecrRepository;

    /** For Lambda: ECS, built once per container. */
    public PrepareRunHandler() {
        this(WorkflowRuntime.ports().taskDefinitions(), WorkflowRuntime.config().ecrRepository());
    }

    public PrepareRunHandler(TaskDefinitions taskDefinitions, String ecrRepository) {
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
        return output("taskDefinitionArn", taskDefinitions.register(id, imageUri));
    }
}
