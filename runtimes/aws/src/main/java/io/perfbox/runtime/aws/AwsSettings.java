package io.perfbox.runtime.aws;

import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import software.amazon.awssdk.regions.Region;

/**
 * The environment of the API Lambdas (names as in the AWS design), read into typed records that refuse a missing or
 * invalid value with a message naming the variable: a misconfigured function fails at its first start, never
 * halfway through a request. (The workflow functions read theirs into
 * {@link io.perfbox.runtime.aws.workflow.WorkflowConfig} and {@link io.perfbox.runtime.aws.workflow.WorkspaceConfig}.)
 */
public final class AwsSettings {
    public static final String AWS_REGION = "AWS_REGION";
    public static final String JOBS_TABLE = "PERFBOX_JOBS_TABLE";
    public static final String ARTIFACT_BUCKET = "PERFBOX_ARTIFACT_BUCKET";
    public static final String STATE_MACHINE_ARN = "PERFBOX_STATE_MACHINE_ARN";
    /** Tests and LocalStack only: one endpoint for every AWS service the functions call. */
    public static final String ENDPOINT = "PERFBOX_AWS_ENDPOINT";
    /** Tests only: DynamoDB elsewhere than {@link #ENDPOINT} (DynamoDB Local beside a LocalStack without it). */
    public static final String DYNAMODB_ENDPOINT = "PERFBOX_AWS_ENDPOINT_DYNAMODB";

    private static final Pattern REGION = Pattern.compile("[a-z]{2,4}(-[a-z]+)+-\\d{1,2}");
    private static final Pattern TABLE = Pattern.compile("[A-Za-z0-9_.-]{3,255}");
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern STATE_MACHINE = Pattern.compile("arn:aws[a-z-]*:states:[a-z0-9-]+:\\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}");

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
    }
}
