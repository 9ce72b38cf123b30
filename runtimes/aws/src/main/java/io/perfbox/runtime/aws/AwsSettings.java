package io.perfbox.runtime.aws;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import software.amazon.awssdk.regions.Region;

/**
 * The Lambdas' environment (names as in the AWS design; infra-cdk sets them), read once into typed records. Every
 * variable is read before anything fails, and the failure names every problem at once: a misconfigured function
 * fails at its first start, never halfway through a request. (The workflow's own variables are read into
 * {@link io.perfbox.runtime.aws.workflow.WorkflowConfig}, which composes {@link Common}, with the same
 * {@link Variables}.)
 */
public final class AwsSettings {
    public static final String AWS_REGION = "AWS_REGION";
    public static final String JOBS_TABLE = "PERFBOX_JOBS_TABLE";
    public static final String ARTIFACT_BUCKET = "PERFBOX_ARTIFACT_BUCKET";
    public static final String STATE_MACHINE_ARN = "PERFBOX_STATE_MACHINE_ARN";

    private static final Pattern REGION = Pattern.compile("[a-z]{2,4}(-[a-z]+)+-\\d{1,2}");
    private static final Pattern TABLE = Pattern.compile("[A-Za-z0-9_.-]{3,255}");
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    /** A state machine's ARN. */
    public static final Pattern STATE_MACHINE = Pattern.compile("arn:aws[a-z-]*:states:[a-z0-9-]+:\\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}");

    private AwsSettings() {
    }

    /** A required variable is missing or its value cannot be used; the message names every such variable. */
    public static final class InvalidSettingException extends IllegalStateException {
        InvalidSettingException(String message) {
            super(message);
        }
    }

    /** What every perfbox Lambda that calls AWS needs. The SDK clients take AWS's own endpoints for the region. */
    public record Common(Region region, String jobsTable, String artifactBucket) {
        public Common {
            require(region != null && REGION.matcher(region.id()).matches(), AWS_REGION + " is not a region: " + region);
            require(jobsTable != null && TABLE.matcher(jobsTable).matches(), JOBS_TABLE + " is not a table name: " + jobsTable);
            require(artifactBucket != null && BUCKET.matcher(artifactBucket).matches(),
                    ARTIFACT_BUCKET + " is not a bucket name: " + artifactBucket);
        }

        public static Common from(Map<String, String> env) {
            Variables v = new Variables(env);
            Common common = read(v);
            v.failOnProblems();
            return common;
        }

        /** Reads the common variables into {@code v}'s problems; null when any is missing or invalid. */
        public static Common read(Variables v) {
            Region region = v.matching(AWS_REGION, REGION, "a region such as eu-west-1", Region::of);
            String table = v.matching(JOBS_TABLE, TABLE, "a DynamoDB table name", Function.identity());
            String bucket = v.matching(ARTIFACT_BUCKET, BUCKET, "an S3 bucket name", Function.identity());
            return region == null || table == null || bucket == null ? null : new Common(region, table, bucket);
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
            Common common = Common.read(v);
            String stateMachine = v.matching(STATE_MACHINE_ARN, STATE_MACHINE,
                    "arn:aws:states:<region>:<account>:stateMachine:<name>", Function.identity());
            v.failOnProblems();
            return new Api(common, stateMachine);
        }
    }

    /**
     * Where the logs API reads a job's output while its steps run: CodeBuild's log group and the tasks' (both, or
     * neither: then only logs the workflow stored are read).
     */
    public record LiveLogs(String buildLogGroup, String taskLogGroup) {
        public static final String BUILD_LOG_GROUP = "PERFBOX_BUILD_LOG_GROUP";
        public static final String TASK_LOG_GROUP = "PERFBOX_TASK_LOG_GROUP";
        private static final Pattern LOG_GROUP = Pattern.compile("[A-Za-z0-9_./#-]{1,512}");

        public static java.util.Optional<LiveLogs> from(Map<String, String> env) {
            String build = env.get(BUILD_LOG_GROUP);
            String task = env.get(TASK_LOG_GROUP);
            if (build == null && task == null) {
                return java.util.Optional.empty();
            }
            require(build != null && LOG_GROUP.matcher(build).matches(), BUILD_LOG_GROUP + " is not a log group name: " + build);
            require(task != null && LOG_GROUP.matcher(task).matches(), TASK_LOG_GROUP + " is not a log group name: " + task);
            return java.util.Optional.of(new LiveLogs(build, task));
        }
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new InvalidSettingException(message);
        }
    }

    /**
     * Reads variables, collecting a message that names the variable for each one missing or malformed instead of
     * stopping at the first; {@link #failOnProblems()} then throws them all at once.
     */
    public static final class Variables {
        private final Map<String, String> env;
        private final List<String> problems = new ArrayList<>();

        public Variables(Map<String, String> env) {
            this.env = env;
        }

        /** The value, stripped; null (and a problem) when it is missing or blank. */
        public String required(String name, String expected) {
            String value = env.get(name);
            if (value == null || value.isBlank()) {
                problems.add(name + " is not set (expected " + expected + ")");
                return null;
            }
            return value.strip();
        }

        /** The value parsed; null (and a problem naming the variable, its value and why) when it cannot be. */
        public <T> T parsed(String name, String expected, Function<String, T> parse) {
            String value = required(name, expected);
            if (value == null) {
                return null;
            }
            try {
                return parse.apply(value);
            } catch (RuntimeException e) {
                problems.add(name + "='" + value + "' is invalid: " + (e instanceof NumberFormatException
                        ? "not a whole number" : e.getMessage()));
                return null;
            }
        }

        public <T> T matching(String name, Pattern pattern, String expected, Function<String, T> convert) {
            String value = required(name, expected);
            if (value == null) {
                return null;
            }
            if (!pattern.matcher(value).matches()) {
                problems.add(name + " is not " + expected + ": '" + value + "'");
                return null;
            }
            return convert.apply(value);
        }

        /** A problem that concerns more than one variable (e.g. a task size Fargate does not offer). */
        public void problem(String message) {
            problems.add(message);
        }

        /** One problem is said as it is; several are listed, so that one deployment fixes them all. */
        public void failOnProblems() {
            if (problems.size() == 1) {
                throw new InvalidSettingException(problems.get(0));
            }
            if (!problems.isEmpty()) {
                throw new InvalidSettingException("perfbox's configuration is incomplete: " + String.join("; ", problems));
            }
        }
    }
}
