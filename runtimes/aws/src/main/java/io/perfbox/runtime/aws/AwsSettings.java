package io.perfbox.runtime.aws;

import io.perfbox.core.application.TenantQuotas;
import java.io.Serial;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
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
    /**
     * Days a finished job is kept after its end (its item's TTL), as the local runtime's --retain-days: a whole number
     * from 1 to {@value #MAX_RETAIN_DAYS}; {@value #DEFAULT_RETAIN_DAYS} when unset (infra-cdk sets it from
     * perfbox:artifactRetentionDays).
     */
    public static final String RETAIN_DAYS = "PERFBOX_RETAIN_DAYS";
    public static final int DEFAULT_RETAIN_DAYS = 30;
    public static final int MAX_RETAIN_DAYS = 3650;
    /**
     * The one API operation a function is deployed for (an {@code io.perfbox.api.ApiOperation} name; infra-cdk sets
     * it on each of the API's functions): what the function builds at its start, and the only route it answers.
     * Unset: every route. Read by {@code io.perfbox.runtime.aws.api.ApiHandler} (the workflow's jar has no API).
     */
    public static final String API_OPERATION = "PERFBOX_API_OPERATION";

    private static final Pattern REGION = Pattern.compile("[a-z]{2,4}(-[a-z]+)+-\\d{1,2}");
    private static final Pattern TABLE = Pattern.compile("[A-Za-z0-9_.-]{3,255}");
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    /** A state machine's ARN. */
    public static final Pattern STATE_MACHINE = Pattern.compile("arn:aws[a-z-]*:states:[a-z0-9-]+:\\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}");

    private AwsSettings() {
    }

    /** A required variable is missing or its value cannot be used; the message names every such variable. */
    public static final class InvalidSettingException extends IllegalStateException {
        @Serial
        private static final long serialVersionUID = 1L;

        public InvalidSettingException(String message) {
            super(message);
        }
    }

    /** What every perfbox Lambda that calls AWS needs. The SDK clients take AWS's own endpoints for the region. */
    public record Common(Region region, String jobsTable, String artifactBucket, int retainDays) {
        /** Finished jobs kept {@value #DEFAULT_RETAIN_DAYS} days. */
        public Common(Region region, String jobsTable, String artifactBucket) {
            this(region, jobsTable, artifactBucket, DEFAULT_RETAIN_DAYS);
        }

        public Common {
            require(retainDays >= 1 && retainDays <= MAX_RETAIN_DAYS,
                    RETAIN_DAYS + " must be from 1 to " + MAX_RETAIN_DAYS + ", not " + retainDays);
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
            int retainDays = v.wholeNumber(RETAIN_DAYS, DEFAULT_RETAIN_DAYS, 1, MAX_RETAIN_DAYS);
            return region == null || table == null || bucket == null ? null
                    : new Common(region, table, bucket, retainDays);
        }

        /** How long the job store keeps a finished job after its end. */
        public Duration retainFinished() {
            return Duration.ofDays(retainDays);
        }
    }

    /**
     * The API Lambdas: the jobs table and bucket, the state machine each submitted job starts, and the tenants'
     * quotas ({@link #MAX_ACTIVE_JOBS}, {@link #MAX_SUBMISSIONS_PER_DAY}: the local runtime's --max-active-jobs and
     * --max-submissions-per-day; infra-cdk sets both, from its context keys).
     */
    public record Api(Common common, String stateMachineArn, TenantQuotas quotas) {
        public Api {
            require(common != null, "common settings are required");
            require(stateMachineArn != null && STATE_MACHINE.matcher(stateMachineArn).matches(),
                    STATE_MACHINE_ARN + " is not a state machine ARN: " + stateMachineArn);
            require(quotas != null, "quotas are required (TenantQuotas.UNLIMITED for none)");
        }

        /** Without quotas. */
        public Api(Common common, String stateMachineArn) {
            this(common, stateMachineArn, TenantQuotas.UNLIMITED);
        }

        public static Api from(Map<String, String> env) {
            Variables v = new Variables(env);
            Common common = Common.read(v);
            String stateMachine = v.matching(STATE_MACHINE_ARN, STATE_MACHINE,
                    "arn:aws:states:<region>:<account>:stateMachine:<name>", Function.identity());
            OptionalInt maxActive = v.quota(MAX_ACTIVE_JOBS);
            OptionalInt maxPerDay = v.quota(MAX_SUBMISSIONS_PER_DAY);
            v.failOnProblems();
            return new Api(common, stateMachine, new TenantQuotas(maxActive, maxPerDay));
        }
    }

    /** Jobs a tenant may have under way at once: a whole number from 1, or {@value #UNLIMITED}. */
    public static final String MAX_ACTIVE_JOBS = "PERFBOX_MAX_ACTIVE_JOBS";
    /** Submissions a tenant may make in any 24 hours: a whole number from 1, or {@value #UNLIMITED}. */
    public static final String MAX_SUBMISSIONS_PER_DAY = "PERFBOX_MAX_SUBMISSIONS_PER_DAY";
    /** The value of a quota variable that sets no limit (also what an unset one means). */
    public static final String UNLIMITED = "unlimited";
    /** The largest quota a variable may set (a larger one is a typo, not a limit). */
    public static final int MAX_QUOTA = 1_000_000;

    /**
     * Where the logs API reads a job's output while its steps run: CodeBuild's log group and the tasks' (both, or
     * neither: then only logs the workflow stored are read).
     */
    public record LiveLogs(String buildLogGroup, String taskLogGroup) {
        public static final String BUILD_LOG_GROUP = "PERFBOX_BUILD_LOG_GROUP";
        public static final String TASK_LOG_GROUP = "PERFBOX_TASK_LOG_GROUP";
        private static final Pattern LOG_GROUP = Pattern.compile("[A-Za-z0-9_./#-]{1,512}");

        public static Optional<LiveLogs> from(Map<String, String> env) {
            String build = env.get(BUILD_LOG_GROUP);
            String task = env.get(TASK_LOG_GROUP);
            if (build == null && task == null) {
                return Optional.empty();
            }
            require(build != null && LOG_GROUP.matcher(build).matches(), BUILD_LOG_GROUP + " is not a log group name: " + build);
            require(task != null && LOG_GROUP.matcher(task).matches(), TASK_LOG_GROUP + " is not a log group name: " + task);
            return Optional.of(new LiveLogs(build, task));
        }
    }

    /**
     * Where a function's credentials come from, named here rather than searched for by the SDK's default chain
     * (system properties, environment, web identity, profile files, container, instance metadata: each loaded and
     * asked in turn). Lambda puts the role's keys in the environment, or, for a SnapStart function, serves them at
     * the container credentials endpoint, refreshed after each restore
     * (docs.aws.amazon.com/lambda/latest/dg/snapstart-activate.html#snapstart-credentials). The endpoint comes first
     * where both are set: keys read from the environment before a snapshot would be stale after a restore.
     */
    public enum LambdaCredentials {
        /** AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN). */
        ENVIRONMENT,
        /** AWS_CONTAINER_CREDENTIALS_FULL_URI (and its authorization token): SnapStart's. */
        CONTAINER;

        public static final String ACCESS_KEY_ID = "AWS_ACCESS_KEY_ID";
        public static final String SECRET_ACCESS_KEY = "AWS_SECRET_ACCESS_KEY";
        public static final String CONTAINER_CREDENTIALS_FULL_URI = "AWS_CONTAINER_CREDENTIALS_FULL_URI";

        public static LambdaCredentials from(Map<String, String> env) {
            if (set(env, CONTAINER_CREDENTIALS_FULL_URI)) {
                return CONTAINER;
            }
            if (set(env, ACCESS_KEY_ID) && set(env, SECRET_ACCESS_KEY)) {
                return ENVIRONMENT;
            }
            throw new InvalidSettingException("no credentials: neither " + ACCESS_KEY_ID + " with " + SECRET_ACCESS_KEY
                    + " nor " + CONTAINER_CREDENTIALS_FULL_URI + " is set (Lambda sets one or the other)");
        }

        private static boolean set(Map<String, String> env, String name) {
            String value = env.get(name);
            return value != null && !value.isBlank();
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

        /**
         * A quota: empty when unset or {@value #UNLIMITED}, else a whole number from 1 to {@value #MAX_QUOTA}; any
         * other value is a problem naming the variable (0 would refuse every submission, so it is not "no limit").
         */
        public OptionalInt quota(String name) {
            String value = env.get(name);
            if (value == null || value.strip().equals(UNLIMITED)) {
                return OptionalInt.empty();
            }
            String v = value.strip();
            if (!v.matches("[0-9]{1,7}") || Integer.parseInt(v) < 1 || Integer.parseInt(v) > MAX_QUOTA) {
                problems.add(name + " is not a whole number from 1 to " + MAX_QUOTA + " or '" + UNLIMITED + "': '"
                        + value + "'");
                return OptionalInt.empty();
            }
            return OptionalInt.of(Integer.parseInt(v));
        }

        /** An optional whole number from min to max; {@code otherwise} when unset, a problem naming it when invalid. */
        public int wholeNumber(String name, int otherwise, int min, int max) {
            String value = env.get(name);
            if (value == null || value.isBlank()) {
                return otherwise;
            }
            String v = value.strip();
            if (!v.matches("[0-9]{1,9}") || Integer.parseInt(v) < min || Integer.parseInt(v) > max) {
                problems.add(name + " is not a whole number from " + min + " to " + max + ": '" + value + "'");
                return otherwise;
            }
            return Integer.parseInt(v);
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
