package io.perfbox.adapter.aws.ecs;

import io.perfbox.adapter.aws.AwsJobNames;
import io.perfbox.adapter.aws.JobResourceInventory;
import io.perfbox.core.domain.JobId;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.Compatibility;
import software.amazon.awssdk.services.ecs.model.ContainerCondition;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.ContainerDependency;
import software.amazon.awssdk.services.ecs.model.DeleteTaskDefinitionsResponse;
import software.amazon.awssdk.services.ecs.model.EphemeralStorage;
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
 * {@link TaskDefinitions} on ECS: family {@code perfbox-job-<id>}, Fargate, awsvpc, the configured CPU and memory, no
 * task role at all (so no container of the task can fetch a credential: there is none to fetch), and four
 * containers sharing one task-scoped volume at /data (a bind mount on the task's ephemeral storage, made for this task
 * and removed with it):
 * <ol>
 * <li>{@link AwsJobNames#DATA_INIT_CONTAINER}, not essential: leaves /data empty and writable by any user, exits 0;</li>
 * <li>{@link AwsJobNames#CONTAINER}, the job's image, not essential, started once data-init succeeded, with every
 * capability dropped (as the local runner does), logs to the run log group under the prefix "job";</li>
 * <li>{@link AwsJobNames#RUN_CLOCK_CONTAINER}, essential, from the job container's start: sleeps the run timeout
 * ({@link #runClock});</li>
 * <li>{@link AwsJobNames#COLLECTOR_CONTAINER}, essential, once the job's container has exited: writes /data/perf.json
 * on its own log stream ({@link #collector}).</li>
 * </ol>
 * The helpers are the stack's own image (infra-cdk/task-helpers), which makes no AWS call. Whichever essential helper
 * ends first stops the task; each exits 0, so a job that exited 0 is a success for runTask.sync, which fails on any
 * container's non-zero exit.
 */
public class EcsTaskDefinitions implements TaskDefinitions, JobResourceInventory {
    static final String VOLUME = "data";
    /** Fargate's shortest stop timeout: a helper stopped with its task has nothing to finish. */
    static final int HELPER_STOP_TIMEOUT_SECONDS = 2;
    /** nobody: the clock needs no privilege at all. */
    static final String NOBODY = "65534:65534";
    /** data-init and the collector must read (and data-init remove) whatever any user of the job's image wrote. */
    static final String ROOT = "0:0";
    /**
     * The capabilities Docker gives a container by default (moby's oci/caps defaults), which Fargate gives too. Fargate
     * lets a task definition add none but SYS_PTRACE, so a helper keeps what it needs by dropping all the others.
     */
    static final List<String> DEFAULT_CAPABILITIES = List.of("AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID",
            "KILL", "MKNOD", "NET_BIND_SERVICE", "NET_RAW", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT");
    /** DeleteTaskDefinitions takes at most this many at once. */
    private static final int DELETE_BATCH = 10;

    private final EcsClient ecs;
    private final Settings config;

    /**
     * What every job's task definition shares: where it logs, its size, ECS's own role, and the helpers (their image,
     * and the run timeout the clock sleeps).
     */
    public record Settings(String region, String taskLogGroup, int taskCpu, int taskMemoryMiB,
                           int ephemeralStorageGiB, String taskExecutionRoleArn, String helperImage,
                           int runTimeoutSeconds) {
        public Settings {
            if (helperImage == null || helperImage.isBlank()) {
                throw new IllegalArgumentException("the task helpers' image is required");
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
    public String register(JobId id, String imageUri) {
        return ecs.registerTaskDefinition(request(id, imageUri)).taskDefinition().taskDefinitionArn();
    }

    RegisterTaskDefinitionRequest request(JobId id, String imageUri) {
        ContainerDefinition job = ContainerDefinition.builder()
                .name(AwsJobNames.CONTAINER)
                .image(imageUri)
                // Not essential: its end must not stop the task before the collector has read /data.
                .essential(false)
                .dependsOn(ContainerDependency.builder().containerName(AwsJobNames.DATA_INIT_CONTAINER)
                        .condition(ContainerCondition.SUCCESS).build())
                .mountPoints(data(false))
                .linuxParameters(LinuxParameters.builder()
                        .capabilities(KernelCapabilities.builder().drop("ALL").build()).build())
                .logConfiguration(logs())
                .build();
        return RegisterTaskDefinitionRequest.builder()
                .family(AwsJobNames.taskFamily(id))
                .requiresCompatibilities(Compatibility.FARGATE)
                .networkMode(NetworkMode.AWSVPC)
                .cpu(Integer.toString(config.taskCpu()))
                .memory(Integer.toString(config.taskMemoryMiB()))
                // The image unpacked, /data and the container's writes must fit (Fargate's default is 20 GiB).
                .ephemeralStorage(config.ephemeralStorageGiB() > FargateTaskSize.DEFAULT_EPHEMERAL_GIB
                        ? EphemeralStorage.builder().sizeInGiB(config.ephemeralStorageGiB()).build() : null)
                .executionRoleArn(config.taskExecutionRoleArn())
                // No taskRoleArn: the containers of a job's task have no credential to fetch.
                .containerDefinitions(job, dataInit(), runClock(), collector())
                // A volume with neither host nor EFS configuration: a bind mount on this task's own ephemeral storage.
                .volumes(Volume.builder().name(VOLUME).build())
                .tags(Tag.builder().key("perfbox:job").value(id.value()).build())
                .build();
    }

    private static MountPoint data(boolean readOnly) {
        return MountPoint.builder().sourceVolume(VOLUME).containerPath(AwsJobNames.DATA_PATH).readOnly(readOnly).build();
    }

    private LogConfiguration logs() {
        return LogConfiguration.builder().logDriver(LogDriver.AWSLOGS).options(Map.of(
                "awslogs-group", config.taskLogGroup(),
                "awslogs-region", config.region(),
                "awslogs-stream-prefix", AwsJobNames.LOG_STREAM_PREFIX)).build();
    }

    /** Every default capability but these dropped. */
    private static KernelCapabilities keeping(String... kept) {
        List<String> drop = new ArrayList<>(DEFAULT_CAPABILITIES);
        drop.removeAll(List.of(kept));
        return KernelCapabilities.builder().drop(drop).build();
    }

    private ContainerDefinition.Builder helper(String name, String... command) {
        return ContainerDefinition.builder()
                .name(name)
                .image(config.helperImage())
                .command(command)
                .readonlyRootFilesystem(true)
                .stopTimeout(HELPER_STOP_TIMEOUT_SECONDS);
    }

    /**
     * Runs first, not essential: as root with only DAC_OVERRIDE and FOWNER, it empties /data (Fargate copies in what
     * an image's VOLUME at /data holds) and makes it writable by any user (Fargate makes it root's, mode 0755), then
     * exits 0; the job's container waits for that (SUCCESS).
     */
    ContainerDefinition dataInit() {
        return helper(AwsJobNames.DATA_INIT_CONTAINER, "/data-init.sh")
                .essential(false)
                .user(ROOT)
                .mountPoints(data(false))
                .linuxParameters(LinuxParameters.builder().capabilities(keeping("DAC_OVERRIDE", "FOWNER")).build())
                .build();
    }

    /**
     * The run's limit: it starts once the job's container has started (START, not HEALTHY: the job has no health
     * check), sleeps the run timeout and exits 0; being essential, its exit stops the task, and ECS stops the job's
     * container. Stopped early (its init passes SIGTERM on) it exits 0 too. No volume, no logs, no capability, a
     * read-only root as nobody; it shares the task's CPU and memory (a sleep uses neither).
     */
    ContainerDefinition runClock() {
        return helper(AwsJobNames.RUN_CLOCK_CONTAINER, "/run-clock.sh", Integer.toString(config.runTimeoutSeconds()))
                .essential(true)
                .dependsOn(ContainerDependency.builder().containerName(AwsJobNames.CONTAINER)
                        .condition(ContainerCondition.START).build())
                .user(NOBODY)
                .linuxParameters(LinuxParameters.builder().initProcessEnabled(true)
                        .capabilities(KernelCapabilities.builder().drop("ALL").build()).build())
                .build();
    }

    /**
     * The result's reader: it starts once the job's container has exited (COMPLETE: whatever its exit code), so no
     * process of the job is left to change /data, which it mounts read-only; as root with only DAC_OVERRIDE (to read
     * a file whatever its owner and mode, as the local runtime reads it), it writes its record of /data/perf.json on
     * its own log stream and exits 0; being essential, that stops the task. It never starts when the clock stopped
     * the task first: that is how the recorder tells a run timeout.
     */
    ContainerDefinition collector() {
        return helper(AwsJobNames.COLLECTOR_CONTAINER, "/collect.sh")
                .essential(true)
                .dependsOn(ContainerDependency.builder().containerName(AwsJobNames.CONTAINER)
                        .condition(ContainerCondition.COMPLETE).build())
                .user(ROOT)
                .mountPoints(data(true))
                .linuxParameters(LinuxParameters.builder().capabilities(keeping("DAC_OVERRIDE")).build())
                .logConfiguration(logs())
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
                        .filter(Objects::nonNull).forEach(jobs::add);
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
