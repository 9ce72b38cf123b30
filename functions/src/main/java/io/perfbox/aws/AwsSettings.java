package io.perfbox.aws;

import io.perfbox.core.domain.Severity;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import software.amazon.awssdk.regions.Region;

/**
 * The environment of the Lambdas (names as in the AWS design), read into typed records that refuse a missing or
 * invalid value with a message naming the variable: a misconfigured function fails at its first start, never
 * halfway through a job.
 */
public final class AwsSettings {
    public static final String AWS_REGION = "AWS_REGION";
    public static final String JOBS_TABLE = "PERFBOX_JOBS_TABLE";
    public static final String ARTIFACT_BUCKET = "PERFBOX_ARTIFACT_BUCKET";
    public static final String STATE_MACHINE_ARN = "PERFBOX_STATE_MACHINE_ARN";
    public static final String SEVERITY_THRESHOLD = "PERFBOX_SEVERITY_THRESHOLD";
    public static final String IGNORE_UNFIXED = "PERFBOX_IGNORE_UNFIXED";
    public static final String CLUSTER_ARN = "PERFBOX_CLUSTER_ARN";
    public static final String TASK_EXECUTION_ROLE_ARN = "PERFBOX_TASK_EXECUTION_ROLE_ARN";
    public static final String TASK_ROLE_ARN = "PERFBOX_TASK_ROLE_ARN";
    public static final String TASK_LOG_GROUP = "PERFBOX_TASK_LOG_GROUP";
    public static final String TASK_CPU = "PERFBOX_TASK_CPU";
    public static final String TASK_MEMORY_MIB = "PERFBOX_TASK_MEMORY_MIB";
    public static final String RUN_TIMEOUT_SECONDS = "PERFBOX_RUN_TIMEOUT_SECONDS";
    public static final String FILE_SYSTEM_ID = "PERFBOX_FILE_SYSTEM_ID";
    public static final String ECR_REPOSITORY = "PERFBOX_ECR_REPOSITORY";
    public static final String WORKSPACE_ROOT = "PERFBOX_WORKSPACE_ROOT";
    /** Tests and LocalStack only: one endpoint for every AWS service the functions call. */
    public static final String ENDPOINT = "PERFBOX_AWS_ENDPOINT";
    /** Tests only: DynamoDB elsewhere than {@link #ENDPOINT} (DynamoDB Local beside a LocalStack without it). */
    public static final String DYNAMODB_ENDPOINT = "PERFBOX_AWS_ENDPOINT_DYNAMODB";

    private static final Pattern REGION = Pattern.compile("[a-z]{2,4}(-[a-z]+)+-\\d{1,2}");
    private static final Pattern TABLE = Pattern.compile("[A-Za-z0-9_.-]{3,255}");
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern STATE_MACHINE = Pattern.compile("arn:aws[a-z-]*:states:[a-z0-9-]+:\\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}");
    private static final Pattern ARN = Pattern.compile("arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\\d{12}:\\S+");
    private static final Pattern LOG_GROUP = Pattern.compile("[A-Za-z0-9_/.#-]{1,512}");
    private static final Pattern FILE_SYSTEM = Pattern.compile("fs-[0-9a-f]{8,40}");
    private static final Pattern REPOSITORY = Pattern.compile("[a-z0-9]+(?:[._/-][a-z0-9]+)*");

    private AwsSettings() {
    }

    /** A required variable is missing or its value cannot be used; the message names it. */
    public static final class InvalidSettingException extends IllegalStateException {
        InvalidSettingException(String message) {
            super(message);
        }
    }

    /** What every perfbox Lambda that calls AWS needs. */
    public record Common(Region region, String jobsTable, String artifactBucket, Optional<URI> endpoint,
                         Optional<URI> dynamoDbEndpoint) {
        public Common {
            require(region != null && REGION.matcher(region.id()).matches(), AWS_REGION + " is not a region: " + region);
            require(jobsTable != null && TABLE.matcher(jobsTable).matches(), JOBS_TABLE + " is not a table name: " + jobsTable);
            require(artifactBucket != null && BUCKET.matcher(artifactBucket).matches(),
                    ARTIFACT_BUCKET + " is not a bucket name: " + artifactBucket);
            endpoint.ifPresent(e -> requireHttpEndpoint(ENDPOINT, e));
            dynamoDbEndpoint.ifPresent(e -> requireHttpEndpoint(DYNAMODB_ENDPOINT, e));
        }

        public static Common from(Map<String, String> env) {
            Variables v = new Variables(env);
            return new Common(
                    v.matching(AWS_REGION, REGION, "a region such as eu-west-1").map(Region::of).orElseThrow(),
                    v.matching(JOBS_TABLE, TABLE, "a DynamoDB table name").orElseThrow(),
                    v.matching(ARTIFACT_BUCKET, BUCKET, "an S3 bucket name").orElseThrow(),
                    v.optionalUri(ENDPOINT),
                    v.optionalUri(DYNAMODB_ENDPOINT));
        }

        /** Where DynamoDB is called when an endpoint is overridden (tests); empty: the region's own. */
        public Optional<URI> dynamoDbEndpointOverride() {
            return dynamoDbEndpoint.or(() -> endpoint);
        }
    }

    /** The API Lambdas: the jobs table and bucket, and the state machine each submitted job starts. */
    public record Api(Common common, String stateMachineArn) {
        public Api {
            require(common != null, "common settings are required");
            require(stateMachineArn != null && STATE_MACHINE.matcher(stateMachineArn).matches(),
                    STATE_MACHINE_ARN + " is not a state machine ARN: " + stateMachineArn);
        }

        public static Api from(Map<String, String> env) {
            Variables v = new Variables(env);
            Common common = Common.from(env);
            return new Api(common, v.matching(STATE_MACHINE_ARN, STATE_MACHINE,
                    "arn:aws:states:<region>:<account>:stateMachine:<name>").orElseThrow());
        }
    }

    /** WorkflowStepHandler: the scan policy and what a job's Fargate task is made of. */
    public record Workflow(Common common, Severity severityThreshold, boolean ignoreUnfixed, String clusterArn,
                           String taskExecutionRoleArn, String taskRoleArn, String taskLogGroup, int taskCpu,
                           int taskMemoryMib, Duration runTimeout, String fileSystemId, String ecrRepository) {
        public Workflow {
            require(common != null && severityThreshold != null, "common settings and a severity threshold are required");
            require(clusterArn != null && ARN.matcher(clusterArn).matches(), CLUSTER_ARN + " is not an ARN: " + clusterArn);
            require(taskExecutionRoleArn != null && ARN.matcher(taskExecutionRoleArn).matches(),
                    TASK_EXECUTION_ROLE_ARN + " is not an ARN: " + taskExecutionRoleArn);
            require(taskRoleArn != null && ARN.matcher(taskRoleArn).matches(), TASK_ROLE_ARN + " is not an ARN: " + taskRoleArn);
            require(taskLogGroup != null && LOG_GROUP.matcher(taskLogGroup).matches(),
                    TASK_LOG_GROUP + " is not a log group name: " + taskLogGroup);
            // Fargate's CPU units and the memory each allows: 256 (0.25 vCPU) to 16384 (16 vCPU).
            require(taskCpu >= 256 && taskCpu <= 16384, TASK_CPU + " must be Fargate CPU units (256..16384), not " + taskCpu);
            require(taskMemoryMib >= 512 && taskMemoryMib <= 122880,
                    TASK_MEMORY_MIB + " must be between 512 and 122880 MiB, not " + taskMemoryMib);
            require(runTimeout != null && !runTimeout.isNegative() && !runTimeout.isZero(),
                    RUN_TIMEOUT_SECONDS + " must be positive");
            require(fileSystemId != null && FILE_SYSTEM.matcher(fileSystemId).matches(),
                    FILE_SYSTEM_ID + " is not an EFS file system id: " + fileSystemId);
            require(ecrRepository != null && REPOSITORY.matcher(ecrRepository).matches(),
                    ECR_REPOSITORY + " is not a repository name: " + ecrRepository);
        }

        public static Workflow from(Map<String, String> env) {
            Variables v = new Variables(env);
            Common common = Common.from(env);
            return new Workflow(common,
                    v.severity(SEVERITY_THRESHOLD),
                    v.bool(IGNORE_UNFIXED),
                    v.matching(CLUSTER_ARN, ARN, "an ECS cluster ARN").orElseThrow(),
                    v.matching(TASK_EXECUTION_ROLE_ARN, ARN, "an IAM role ARN").orElseThrow(),
                    v.matching(TASK_ROLE_ARN, ARN, "an IAM role ARN").orElseThrow(),
                    v.matching(TASK_LOG_GROUP, LOG_GROUP, "a CloudWatch Logs group name").orElseThrow(),
                    v.integer(TASK_CPU, 256, 16384),
                    v.integer(TASK_MEMORY_MIB, 512, 122880),
                    Duration.ofSeconds(v.integer(RUN_TIMEOUT_SECONDS, 1, 7 * 24 * 3600)),
                    v.matching(FILE_SYSTEM_ID, FILE_SYSTEM, "an EFS file system id such as fs-0123456789abcdef0").orElseThrow(),
                    v.matching(ECR_REPOSITORY, REPOSITORY, "an ECR repository name").orElseThrow());
        }
    }

    /** WorkspaceHandler: where the EFS file system is mounted; it calls no AWS API. */
    public record Workspace(Path root) {
        public Workspace {
            require(root != null && root.isAbsolute(), WORKSPACE_ROOT + " must be an absolute path: " + root);
        }

        public static Workspace from(Map<String, String> env) {
            String raw = new Variables(env).required(WORKSPACE_ROOT, "the EFS mount path, e.g. /mnt/jobs");
            try {
                return new Workspace(Path.of(raw));
            } catch (java.nio.file.InvalidPathException e) {
                throw new InvalidSettingException(WORKSPACE_ROOT + " is not a path: " + raw);
            }
        }
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new InvalidSettingException(message);
        }
    }

    private static void requireHttpEndpoint(String name, URI uri) {
        require(uri.isAbsolute() && uri.getHost() != null
                && ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())),
                name + " must be an http(s) URL such as http://127.0.0.1:4566, not " + uri);
    }

    /** Reads variables, turning absence and malformed values into messages that name the variable. */
    private record Variables(Map<String, String> env) {
        String required(String name, String expected) {
            String value = env.get(name);
            if (value == null || value.isBlank()) {
                throw new InvalidSettingException(name + " is not set (expected " + expected + ")");
            }
            return value.strip();
        }

        Optional<String> matching(String name, Pattern pattern, String expected) {
            String value = required(name, expected);
            if (!pattern.matcher(value).matches()) {
                throw new InvalidSettingException(name + " is not " + expected + ": '" + value + "'");
            }
            return Optional.of(value);
        }

        Optional<URI> optionalUri(String name) {
            String value = env.get(name);
            if (value == null || value.isBlank()) {
                return Optional.empty();
            }
            try {
                return Optional.of(URI.create(value.strip()));
            } catch (IllegalArgumentException e) {
                throw new InvalidSettingException(name + " is not a URL: '" + value + "'");
            }
        }

        int integer(String name, int min, int max) {
            String value = required(name, "a whole number from " + min + " to " + max);
            try {
                int n = Integer.parseInt(value);
                if (n < min || n > max) {
                    throw new InvalidSettingException(name + " must be from " + min + " to " + max + ", not " + n);
                }
                return n;
            } catch (NumberFormatException e) {
                throw new InvalidSettingException(name + " is not a whole number: '" + value + "'");
            }
        }

        boolean bool(String name) {
            String value = required(name, "true or false").toLowerCase(Locale.ROOT);
            return switch (value) {
                case "true" -> true;
                case "false" -> false;
                default -> throw new InvalidSettingException(name + " must be true or false, not '" + value + "'");
            };
        }

        Severity severity(String name) {
            String value = required(name, "UNKNOWN, LOW, MEDIUM, HIGH or CRITICAL");
            try {
                return Severity.parseSetting(value);
            } catch (IllegalArgumentException e) {
                throw new InvalidSettingException(name + ": " + e.getMessage());
            }
        }
    }
}
