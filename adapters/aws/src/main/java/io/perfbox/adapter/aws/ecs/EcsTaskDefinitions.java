package io.perfbox.adapter.aws.ecs;

import io.perfbox.adapter.aws.AwsJobNames;
import io.perfbox.adapter.aws.JobResourceInventory;
import io.perfbox.adapter.aws.ecs.TaskDefinitions;
import io.perfbox.core.domain.JobId;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.EphemeralStorage;
import software.amazon.awssdk.services.ecs.model.Compatibility;
import software.amazon.awssdk.services.ecs.model.ContainerCondition;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.ContainerDependency;
import software.amazon.awssdk.services.ecs.model.DeleteTaskDefinitionsResponse;
import software.amazon.awssdk.services.ecs.model.EFSAuthorizationConfig;
import software.amazon.awssdk.services.ecs.model.EFSAuthorizationConfigIAM;
import software.amazon.awssdk.services.ecs.model.EFSTransitEncryption;
import software.amazon.awssdk.services.ecs.model.EFSVolumeConfiguration;
import software.amazon.awssdk.services.ecs.model.KernelCapabilities;
import software.amazon.awssdk.services.ecs.model.LinuxParameters;
import software.amazon.awssdk.services.ecs.model.ListTaskDefinitionsResponse;
import software.amazon.awssdk.services.ecs.model.LogConfiguration;
import software.amazon.awssdk.services.ecs.model.LogDriver;
import software.amazon.awssdk.services.ecs.model.MountPoint;
import software.amazon.awssdk.services.ecs.model.NetworkMode;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.Tag;
import software.amazon.awssdk.services.ecs.model.TaskDefinitionStatus;
import software.amazon.awssdk.services.ecs.model.Volume;

/**
 * {@link TaskDefinitions} on ECS: family {@code perfbox-job-<id>}, Fargate, awsvpc, the configured CPU and memory,
 * one essential container "job" with every capability dropped (as the local runner does), the job's EFS access
 * point at /data (transit encryption, IAM authorization), logs to the run log group under the prefix "job". Its task
 * role is the job's own (IamJobRoles): the only credential the container holds, and all it allows is mounting the
 * job file system through this job's access point, so an access point id of another job mounts nothing (the file
 * system's policy admits no client without credentials; infra-cdk IsolatedRunner). Beside it, the essential
 * {@link AwsJobNames#RUN_CLOCK_CONTAINER} bounds the run from the job container's own start ({@link #runClock}); it
 * makes no AWS call, though it runs under the same task role.
 */
public class EcsTaskDefinitions implements TaskDefinitions, JobResourceInventory {
    static final String VOLUME = "data";
    /** Fargate's shortest stop timeout: a clock stopped with its task has nothing to finish. */
    static final int RUN_CLOCK_STOP_TIMEOUT_SECONDS = 2;
    /** nobody: the clock needs no privilege at all. */
    static final String RUN_CLOCK_USER = "65534:65534";
    /** DeleteTaskDefinitions takes at most this many at once. */
    private static final int DELETE_BATCH = 10;

    private final EcsClient ecs;
    private final Settings config;

    /**
     * What every job's task definition shares: where it logs, its file system, its size, ECS's own role, and the run
     * clock (its image, a sleep taking the seconds as its argument, and the run timeout it sleeps).
     */
    public record Settings(String region, String taskLogGroup, String fileSystemId, int taskCpu, int taskMemoryMiB,
                           int ephemeralStorageGiB, String taskExecutionRoleArn, String runClockImage,
                           int runTimeoutSeconds) {
        public Settings {
            if (runClockImage == null || runClockImage.isBlank()) {
                throw new IllegalArgumentException("the run clock's image is required");
            }
            if (runTimeoutSeconds < 1) {
                throw new IllegalArgumentException("the run timeout must be at least 1 second, not " + runTimeoutSeconds);
            }
            if (ephemeralStorageGiB < FargateTaskSize.DEFAULT_EPHEMERAL_GIB
                    || ephemeralStorageGiB > FargateTaskSize.MAX_EPHEMERAL_GIB) {
                throw new IllegalArgumentException("ephemeral storage must be " + FargateTaskSize.DEFAULT_EPHEMERAL_GIB
                        + " to " + FargateTaskSize.MAX_EPHEMERAL_GIB + " GiB, not " + ephemeralStorageGiB);
            }
        }
    }

    public EcsTaskDefinitions(EcsClient ecs, Settings config) {
        this.ecs = ecs;
        this.config = config;
    }

    @Override
    public String register(JobId id, String imageUri, String accessPointId, String taskRoleArn) {
        return ecs.registerTaskDefinition(request(id, imageUri, accessPointId, taskRoleArn)).taskDefinition()
                .taskDefinitionArn();
    }

    RegisterTaskDefinitionRequest request(JobId id, String imageUri, String accessPointId, String taskRoleArn) {
        ContainerDefinition container = ContainerDefinition.builder()
                .name(AwsJobNames.CONTAINER)
                .image(imageUri)
                .essential(true)
                .mountPoints(MountPoint.builder().sourceVolume(VOLUME).containerPath(AwsJobNames.DATA_PATH)
                        .readOnly(false).build())
                .linuxParameters(LinuxParameters.builder()
                        .capabilities(KernelCapabilities.builder().drop("ALL").build()).build())
                .logConfiguration(LogConfiguration.builder().logDriver(LogDriver.AWSLOGS).options(Map.of(
                        "awslogs-group", config.taskLogGroup(),
                        "awslogs-region", config.region(),
                        "awslogs-stream-prefix", AwsJobNames.LOG_STREAM_PREFIX)).build())
                .build();
        Volume data = Volume.builder().name(VOLUME).efsVolumeConfiguration(EFSVolumeConfiguration.builder()
                .fileSystemId(config.fileSystemId())
                .transitEncryption(EFSTransitEncryption.ENABLED)
                .authorizationConfig(EFSAuthorizationConfig.builder()
                        .accessPointId(accessPointId).iam(EFSAuthorizationConfigIAM.ENABLED).build())
                .build()).build();
        return RegisterTaskDefinitionRequest.builder()
                .family(AwsJobNames.taskFamily(id))
                .requiresCompatibilities(Compatibility.FARGATE)
                .networkMode(NetworkMode.AWSVPC)
                .cpu(Integer.toString(config.taskCpu()))
                .memory(Integer.toString(config.taskMemoryMiB()))
                // The image unpacked and the container's writes must fit (Fargate's default is 20 GiB).
                .ephemeralStorage(config.ephemeralStorageGiB() > FargateTaskSize.DEFAULT_EPHEMERAL_GIB
                        ? EphemeralStorage.builder().sizeInGiB(config.ephemeralStorageGiB()).build() : null)
                .executionRoleArn(config.taskExecutionRoleArn())
                .taskRoleArn(taskRoleArn)
                .containerDefinitions(container, runClock())
                .volumes(data)
                .tags(Tag.builder().key("perfbox:job").value(id.value()).build())
                .build();
    }

    /**
     * The run's limit, as a container: it starts once the job's container has started (START, not HEALTHY: the job
     * has no health check), sleeps the run timeout and exits {@link AwsJobNames#RUN_CLOCK_EXPIRED}; being essential,
     * its exit stops the task, and ECS stops the job's container. That exit code is how the recorder tells a run
     * timeout from a job that ended by itself; stopped early (its init passes SIGTERM on) it exits 0, so the task of a
     * job that exited 0 is a success for runTask.sync, which fails on any container's non-zero exit. No
     * volume, no logs, no capability, a read-only root as nobody; it shares the task's CPU and memory (a sleep uses
     * neither).
     */
    ContainerDefinition runClock() {
        return ContainerDefinition.builder()
                .name(AwsJobNames.RUN_CLOCK_CONTAINER)
                .image(config.runClockImage())
                .essential(true)
                .command(Integer.toString(config.runTimeoutSeconds()))
                .dependsOn(ContainerDependency.builder().containerName(AwsJobNames.CONTAINER)
                        .condition(ContainerCondition.START).build())
                .user(RUN_CLOCK_USER)
                .readonlyRootFilesystem(true)
                .stopTimeout(RUN_CLOCK_STOP_TIMEOUT_SECONDS)
                .linuxParameters(LinuxParameters.builder().initProcessEnabled(true)
                        .capabilities(KernelCapabilities.builder().drop("ALL").build()).build())
                .build();
    }

    @Override
    public void removeAll(JobId id) {
        // Only INACTIVE revisions can be deleted: deregister the active ones first.
        for (String arn : revisions(id, TaskDefinitionStatus.ACTIVE)) {
            ecs.deregisterTaskDefinition(b -> b.taskDefinition(arn));
        }
        List<String> inactive = revisions(id, TaskDefinitionStatus.INACTIVE);
        for (int i = 0; i < inactive.size(); i += DELETE_BATCH) {
            List<String> batch = inactive.subList(i, Math.min(inactive.size(), i + DELETE_BATCH));
            DeleteTaskDefinitionsResponse deleted = ecs.deleteTaskDefinitions(b -> b.taskDefinitions(batch));
            if (deleted.hasFailures() && !deleted.failures().isEmpty()) {
                throw new IllegalStateException("ECS did not delete task definitions of job " + id + ": "
                        + deleted.failures().stream().map(f -> f.arn() + " (" + f.reason() + ")").toList());
            }
        }
    }

    @Override
    public String kind() {
        return "task definitions";
    }

    /**
     * The jobs with a revision still ACTIVE or INACTIVE (deregistered, not yet deleted), from the revisions themselves:
     * a family whose revisions were all deleted may still be listed as a family, and is no leak.
     */
    @Override
    public Set<JobId> holders() {
        Set<JobId> jobs = new LinkedHashSet<>();
        for (TaskDefinitionStatus status : List.of(TaskDefinitionStatus.ACTIVE, TaskDefinitionStatus.INACTIVE)) {
            String token = null;
            do {
                String page = token;
                ListTaskDefinitionsResponse listed = ecs.listTaskDefinitions(b -> b
                        .familyPrefix(AwsJobNames.TASK_FAMILY_PREFIX).status(status).nextToken(page));
                listed.taskDefinitionArns().stream()
                        .map(arn -> JobResourceInventory.jobIdAfter(AwsJobNames.TASK_FAMILY_PREFIX, familyOf(arn)))
                        .filter(java.util.Objects::nonNull).forEach(jobs::add);
                token = listed.nextToken();
            } while (token != null);
        }
        return jobs;
    }

    /** The revisions of exactly the job's family (a family prefix could match more in principle). */
    List<String> revisions(JobId id, TaskDefinitionStatus status) {
        String family = AwsJobNames.taskFamily(id);
        List<String> arns = new ArrayList<>();
        String token = null;
        do {
            String page = token;
            ListTaskDefinitionsResponse listed = ecs.listTaskDefinitions(b -> b.familyPrefix(family).status(status)
                    .nextToken(page));
            listed.taskDefinitionArns().stream().filter(arn -> familyOf(arn).equals(family)).forEach(arns::add);
            token = listed.nextToken();
        } while (token != null);
        return arns;
    }

    /** arn:aws:ecs:region:account:task-definition/FAMILY:REVISION → FAMILY. */
    static String familyOf(String taskDefinitionArn) {
        String name = taskDefinitionArn.substring(taskDefinitionArn.lastIndexOf('/') + 1);
        int colon = name.lastIndexOf(':');
        return colon < 0 ? name : name.substring(0, colon);
    }
}
