package io.perfbox.runtime.aws.workflow;

import io.perfbox.core.domain.Severity;
import io.perfbox.core.domain.VulnerabilityPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The workflow Lambda's environment, read once and checked whole: a missing or invalid value fails the cold start
 * with every problem named, instead of a job failing halfway.
 */
public record WorkflowConfig(String region, String jobsTable, String artifactBucket, VulnerabilityPolicy policy,
                             String clusterArn, String taskExecutionRoleArn, String taskRoleArn, String taskLogGroup,
                             int taskCpu, int taskMemoryMiB, Duration runTimeout, String fileSystemId,
                             String ecrRepository) {
    /** The CPU units Fargate offers. */
    static final Set<Integer> FARGATE_CPU = Set.of(256, 512, 1024, 2048, 4096, 8192, 16384);
    private static final Pattern FILE_SYSTEM_ID = Pattern.compile("fs-[0-9a-f]{8,40}");
    private static final Pattern REPOSITORY = Pattern.compile("[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*");

    public WorkflowConfig {
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(jobsTable, "jobsTable");
        Objects.requireNonNull(artifactBucket, "artifactBucket");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(clusterArn, "clusterArn");
        Objects.requireNonNull(taskExecutionRoleArn, "taskExecutionRoleArn");
        Objects.requireNonNull(taskRoleArn, "taskRoleArn");
        Objects.requireNonNull(taskLogGroup, "taskLogGroup");
        Objects.requireNonNull(runTimeout, "runTimeout");
        Objects.requireNonNull(fileSystemId, "fileSystemId");
        Objects.requireNonNull(ecrRepository, "ecrRepository");
        if (!FARGATE_CPU.contains(taskCpu)) {
            throw new IllegalArgumentException("task CPU must be one of Fargate's " + FARGATE_CPU + ", not " + taskCpu);
        }
        if (taskMemoryMiB < 512) {
            throw new IllegalArgumentException("task memory must be at least 512 MiB, not " + taskMemoryMiB);
        }
        if (runTimeout.isNegative() || runTimeout.isZero()) {
            throw new IllegalArgumentException("run timeout must be positive");
        }
    }

    /** The memory a run may use, in bytes (the task's memory: its one container has no lower limit of its own). */
    public long runMemoryLimitBytes() {
        return (long) taskMemoryMiB << 20;
    }

    public static WorkflowConfig fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /** Reads every variable, then fails with all the problems at once (IllegalStateException) or returns the config. */
    public static WorkflowConfig fromEnvironment(Map<String, String> env) {
        Reader r = new Reader(env);
        String region = r.text("AWS_REGION");
        String table = r.text("PERFBOX_JOBS_TABLE");
        String bucket = r.text("PERFBOX_ARTIFACT_BUCKET");
        Severity threshold = r.parsed("PERFBOX_SEVERITY_THRESHOLD", Severity::parseSetting);
        Boolean ignoreUnfixed = r.parsed("PERFBOX_IGNORE_UNFIXED", WorkflowConfig::strictBoolean);
        String cluster = r.arn("PERFBOX_CLUSTER_ARN");
        String executionRole = r.arn("PERFBOX_TASK_EXECUTION_ROLE_ARN");
        String taskRole = r.arn("PERFBOX_TASK_ROLE_ARN");
        String logGroup = r.text("PERFBOX_TASK_LOG_GROUP");
        Integer cpu = r.parsed("PERFBOX_TASK_CPU", v -> {
            int n = Integer.parseInt(v);
            if (!FARGATE_CPU.contains(n)) {
                throw new IllegalArgumentException("must be one of Fargate's CPU units " + FARGATE_CPU);
            }
            return n;
        });
        Integer memory = r.parsed("PERFBOX_TASK_MEMORY_MIB", v -> atLeast(v, 512));
        Integer timeoutSeconds = r.parsed("PERFBOX_RUN_TIMEOUT_SECONDS", v -> atLeast(v, 1));
        String fileSystem = r.matching("PERFBOX_FILE_SYSTEM_ID", FILE_SYSTEM_ID, "an EFS file system id like fs-0123abcd");
        String repository = r.matching("PERFBOX_ECR_REPOSITORY", REPOSITORY, "an ECR repository name");
        r.failOnProblems();
        return new WorkflowConfig(region, table, bucket, new VulnerabilityPolicy(threshold, ignoreUnfixed), cluster,
                executionRole, taskRole, logGroup, cpu, memory, Duration.ofSeconds(timeoutSeconds), fileSystem, repository);
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

    /** Collects the problems of every variable instead of stopping at the first. */
    static final class Reader {
        private final Map<String, String> env;
        private final List<String> problems = new ArrayList<>();

        Reader(Map<String, String> env) {
            this.env = env;
        }

        String text(String name) {
            String v = env.get(name);
            if (v == null || v.isBlank()) {
                problems.add(name + " is not set");
                return null;
            }
            return v.strip();
        }

        <T> T parsed(String name, Function<String, T> parse) {
            String v = text(name);
            if (v == null) {
                return null;
            }
            try {
                return parse.apply(v);
            } catch (RuntimeException e) {
                problems.add(name + "='" + v + "' is invalid: " + (e instanceof NumberFormatException
                        ? "not a whole number" : e.getMessage()));
                return null;
            }
        }

        String arn(String name) {
            return matching(name, Pattern.compile("arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\\d*:.+"), "an ARN");
        }

        String matching(String name, Pattern pattern, String what) {
            return parsed(name, v -> {
                if (!pattern.matcher(v).matches()) {
                    throw new IllegalArgumentException("must be " + what);
                }
                return v;
            });
        }

        void failOnProblems() {
            if (!problems.isEmpty()) {
                throw new IllegalStateException("perfbox's configuration is incomplete: " + String.join("; ", problems));
            }
        }
    }
}
