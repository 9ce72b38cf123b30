package io.perfbox.runtime.aws.workflow;

import io.perfbox.adapter.aws.ecs.EcsTaskDefinitions;
import io.perfbox.adapter.aws.ecs.FargateTaskSize;
import io.perfbox.core.domain.RunReceipt;
import io.perfbox.core.domain.Severity;
import io.perfbox.core.domain.VulnerabilityPolicy;
import io.perfbox.runtime.aws.AwsSettings;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The workflow Lambdas' environment: the common settings ({@link AwsSettings.Common}, read by its own code) and the
 * workflow's own, read once and checked whole: a missing or invalid value fails the cold start with every problem
 * named (the common ones too), instead of a job failing halfway.
 */
public record WorkflowConfig(AwsSettings.Common common, VulnerabilityPolicy policy, String clusterArn,
                             String taskExecutionRoleArn, String taskLogGroup, int taskCpu,
                             int taskMemoryMiB, int maxImageMib, Duration runTimeout, Duration runStartTimeout,
                             String ecrRepository, String taskHelpersImage, String buildProject,
                             String stateMachineArn) {
    public static final String SEVERITY_THRESHOLD = "PERFBOX_SEVERITY_THRESHOLD";
    public static final String IGNORE_UNFIXED = "PERFBOX_IGNORE_UNFIXED";
    /** Misconfigurations at or above it block the image; NONE (or unset): they are warnings only. */
    public static final String MISCONFIG_THRESHOLD = "PERFBOX_MISCONFIG_THRESHOLD";
    public static final String CLUSTER_ARN = "PERFBOX_CLUSTER_ARN";
    public static final String TASK_EXECUTION_ROLE_ARN = "PERFBOX_TASK_EXECUTION_ROLE_ARN";
    public static final String TASK_LOG_GROUP = "PERFBOX_TASK_LOG_GROUP";
    public static final String TASK_CPU = "PERFBOX_TASK_CPU";
    public static final String TASK_MEMORY_MIB = "PERFBOX_TASK_MEMORY_MIB";
    public static final String RUN_TIMEOUT_SECONDS = "PERFBOX_RUN_TIMEOUT_SECONDS";
    /** What RunTask's timer allows beyond the run timeout for provisioning and the image pull. */
    public static final String RUN_START_TIMEOUT_SECONDS = "PERFBOX_RUN_START_TIMEOUT_SECONDS";
    /** The task helpers' image (the stack's image asset): data-init, the run clock and the collector of every task. */
    public static final String TASK_HELPERS_IMAGE = "PERFBOX_TASK_HELPERS_IMAGE";
    /** The build's image limit: the task's ephemeral storage is sized so that such an image can run. */
    public static final String MAX_IMAGE_MIB = "PERFBOX_MAX_IMAGE_MIB";
    public static final String ECR_REPOSITORY = "PERFBOX_ECR_REPOSITORY";
    /** The CodeBuild project of BuildAndScan: the clean-up stops the job's builds of it. */
    public static final String BUILD_PROJECT = "PERFBOX_BUILD_PROJECT";
    /** The job workflow: its executions' histories name the builds; the reconciler looks executions up and starts them. */
    public static final String STATE_MACHINE_ARN = AwsSettings.STATE_MACHINE_ARN;

    /** A Regional ARN with its account. */
    private static final Pattern ARN = Pattern.compile("arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\\d*:.+");
    /** An ECS cluster's ARN, with its partition, Region and account. */
    private static final Pattern CLUSTER = Pattern.compile("arn:aws[a-z-]*:ecs:[a-z0-9-]+:\\d{12}:cluster/.+");
    private static final Pattern REPOSITORY = Pattern.compile("[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*");
    /** registry host/repository, then a tag or a digest: an image ECS pulls as it is, never "latest" by default. */
    private static final Pattern IMAGE = Pattern.compile(
            "[a-z0-9-]+(?:\\.[a-z0-9-]+)+(?::\\d+)?/[a-z0-9]+(?:[._/-][a-z0-9]+)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[0-9a-f]{64})");
    private static final Pattern LOG_GROUP = Pattern.compile("[A-Za-z0-9_./#-]{1,512}");
    private static final Pattern PROJECT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{1,254}");

    public WorkflowConfig {
        Objects.requireNonNull(common, "common");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(clusterArn, "clusterArn");
        Objects.requireNonNull(taskExecutionRoleArn, "taskExecutionRoleArn");
        Objects.requireNonNull(taskLogGroup, "taskLogGroup");
        Objects.requireNonNull(runTimeout, "runTimeout");
        Objects.requireNonNull(runStartTimeout, "runStartTimeout");
        Objects.requireNonNull(taskHelpersImage, "taskHelpersImage");
        Objects.requireNonNull(ecrRepository, "ecrRepository");
        Objects.requireNonNull(buildProject, "buildProject");
        Objects.requireNonNull(stateMachineArn, "stateMachineArn");
        FargateTaskSize.problem(taskCpu, taskMemoryMiB).ifPresent(problem -> {
            throw new IllegalArgumentException(problem);
        });
        if (runTimeout.isNegative() || runTimeout.isZero()) {
            throw new IllegalArgumentException("run timeout must be positive");
        }
        if (runStartTimeout.isNegative() || runStartTimeout.isZero()) {
            throw new IllegalArgumentException("run start timeout must be positive");
        }
        FargateTaskSize.ephemeralStorageGiB(maxImageMib);
    }

    /** The memory a run may use, in bytes (the task's memory: its one container has no lower limit of its own). */
    public long runMemoryLimitBytes() {
        return (long) taskMemoryMiB << 20;
    }

    /**
     * A run's limits as its receipt records them: the task's memory and CPUs (a job's container has no lower limit
     * of its own), and the run timeout. Fargate has no pids limit that perfbox sets, and /data shares the task's
     * ephemeral storage with the image.
     */
    public RunReceipt.Limits taskLimits() {
        return new RunReceipt.Limits(runMemoryLimitBytes(), taskCpu / 1024.0, null,
                runTimeout.toSeconds(), null, null);
    }

    /** What every job's task definition shares. */
    public EcsTaskDefinitions.Settings taskDefinitions() {
        return new EcsTaskDefinitions.Settings(common.region().id(), taskLogGroup, taskCpu, taskMemoryMiB,
                FargateTaskSize.ephemeralStorageGiB(maxImageMib), taskExecutionRoleArn, taskHelpersImage,
                Math.toIntExact(runTimeout.toSeconds()));
    }

    public static WorkflowConfig fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /**
     * Reads every variable, then fails with all the problems at once ({@link AwsSettings.InvalidSettingException},
     * an IllegalStateException) or returns the config.
     */
    public static WorkflowConfig fromEnvironment(Map<String, String> env) {
        AwsSettings.Variables v = new AwsSettings.Variables(env);
        AwsSettings.Common common = AwsSettings.Common.read(v);
        Severity threshold = v.parsed(SEVERITY_THRESHOLD, "CRITICAL, HIGH, MEDIUM or LOW", Severity::parseSetting);
        Boolean ignoreUnfixed = v.parsed(IGNORE_UNFIXED, "true or false", WorkflowConfig::strictBoolean);
        String misconfig = env.get(MISCONFIG_THRESHOLD);
        Severity misconfigThreshold = misconfig == null || misconfig.isBlank() || misconfig.strip().equalsIgnoreCase("NONE")
                ? null : v.parsed(MISCONFIG_THRESHOLD, "NONE, CRITICAL, HIGH, MEDIUM, LOW or UNKNOWN", Severity::parseSetting);
        String cluster = v.matching(CLUSTER_ARN, CLUSTER, "an ECS cluster ARN", Function.identity());
        String executionRole = v.matching(TASK_EXECUTION_ROLE_ARN, ARN, "an ARN", Function.identity());
        String logGroup = v.matching(TASK_LOG_GROUP, LOG_GROUP, "a CloudWatch Logs group name", Function.identity());
        Integer cpu = v.parsed(TASK_CPU, "Fargate CPU units such as 1024", Integer::parseInt);
        Integer memory = v.parsed(TASK_MEMORY_MIB, "MiB such as 2048", Integer::parseInt);
        Integer timeoutSeconds = v.parsed(RUN_TIMEOUT_SECONDS, "seconds such as 900", s -> atLeast(s, 1));
        Integer startSeconds = v.parsed(RUN_START_TIMEOUT_SECONDS, "seconds such as 1800", s -> atLeast(s, 1));
        String helpersImage = v.matching(TASK_HELPERS_IMAGE, IMAGE, "an image such as <registry>/<repository>:<tag>",
                Function.identity());
        Integer maxImageMib = v.parsed(MAX_IMAGE_MIB, "MiB such as 10240, at most " + FargateTaskSize.MAX_IMAGE_MIB,
                s -> {
                    int mib = Integer.parseInt(s);
                    FargateTaskSize.ephemeralStorageGiB(mib);
                    return mib;
                });
        String repository = v.matching(ECR_REPOSITORY, REPOSITORY, "an ECR repository name", Function.identity());
        String project = v.matching(BUILD_PROJECT, PROJECT, "a CodeBuild project name", Function.identity());
        String stateMachine = v.matching(STATE_MACHINE_ARN, AwsSettings.STATE_MACHINE,
                "arn:aws:states:<region>:<account>:stateMachine:<name>", Function.identity());
        if (cpu != null && memory != null) {
            FargateTaskSize.problem(cpu, memory).ifPresent(problem -> v.problem(
                    TASK_CPU + "=" + cpu + " with " + TASK_MEMORY_MIB + "=" + memory + " is invalid: " + problem));
        }
        v.failOnProblems();
        return new WorkflowConfig(common, new VulnerabilityPolicy(threshold, ignoreUnfixed, misconfigThreshold), cluster, executionRole,
                logGroup, cpu, memory, maxImageMib, Duration.ofSeconds(timeoutSeconds), Duration.ofSeconds(startSeconds),
                repository, helpersImage, project, stateMachine);
    }

    private static Boolean strictBoolean(String v) {
        return switch (v) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("must be true or false");
        };
    }

    private static Integer atLeast(String v, int min) {
        int n = Integer.parseInt(v);
        if (n < min) {
            throw new IllegalArgumentException("must be at least " + min);
        }
        return n;
    }
}
