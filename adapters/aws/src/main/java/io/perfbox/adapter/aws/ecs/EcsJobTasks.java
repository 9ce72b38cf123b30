package io.perfbox.adapter.aws.ecs;

import io.perfbox.adapter.aws.AwsJobNames;
import io.perfbox.core.domain.JobId;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;
import software.amazon.awssdk.services.ecs.model.ListTasksResponse;

/**
 * {@link JobTasks} on ECS. A job's tasks are found by its own task definition family (one per job) rather than by
 * startedBy, which ECS allows only as the sole filter (so it could not be combined with the desired status).
 */
public class EcsJobTasks implements JobTasks {
    /** ECS keeps at most this much of a stop reason. */
    private static final int MAX_REASON = 255;

    private final EcsClient ecs;
    private final String clusterArn;

    public EcsJobTasks(EcsClient ecs, String clusterArn) {
        this.ecs = ecs;
        this.clusterArn = clusterArn;
    }

    @Override
    public List<String> stopAll(JobId id, String reason) {
        String shortReason = reason.length() <= MAX_REASON ? reason : reason.substring(0, MAX_REASON);
        Set<String> all = new LinkedHashSet<>();
        for (String arn : list(id, DesiredStatus.RUNNING)) {
            ecs.stopTask(b -> b.cluster(clusterArn).task(arn).reason(shortReason));
            all.add(arn);
        }
        // Stopped tasks stay listed for at least an hour: the one that just ended is among them.
        all.addAll(list(id, DesiredStatus.STOPPED));
        return List.copyOf(all);
    }

    List<String> list(JobId id, DesiredStatus status) {
        List<String> arns = new ArrayList<>();
        String token = null;
        do {
            String page = token;
            ListTasksResponse listed = ecs.listTasks(b -> b.cluster(clusterArn).family(AwsJobNames.taskFamily(id))
                    .desiredStatus(status).nextToken(page));
            arns.addAll(listed.taskArns());
            token = listed.nextToken();
        } while (token != null);
        return arns;
    }
}
