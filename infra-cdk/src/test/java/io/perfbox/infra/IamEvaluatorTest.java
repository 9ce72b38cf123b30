package io.perfbox.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** The IAM check fails on purpose: a missing grant, an unused grant, a wrong resource, an unmet condition. */
class IamEvaluatorTest {
    private static final String TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/Jobs";
    private static final String CLUSTER = "arn:aws:ecs:us-east-1:123456789012:cluster/Cluster";
    private static final String ACCESS_POINTS = "arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/*";

    /** A template of one function whose role has the shapes the stack uses. */
    private static StackPolicies policies(String extraStatement) {
        String statements = """
                {"Effect":"Allow","Action":["xray:PutTraceSegments","xray:PutTelemetryRecords"],"Resource":"*"},
                {"Effect":"Allow","Action":"dynamodb:GetItem","Resource":{"Fn::GetAtt":["Jobs","Arn"]}},
                {"Effect":"Allow","Action":"ecs:StopTask","Resource":"arn:aws:ecs:us-east-1:123456789012:task/Cluster/*",
                 "Condition":{"ArnEquals":{"ecs:cluster":{"Fn::GetAtt":["Cluster","Arn"]}}}},
                {"Effect":"Allow","Action":"elasticfilesystem:DeleteAccessPoint","Resource":"%s",
                 "Condition":{"Null":{"aws:ResourceTag/perfbox:job":"false"}}}%s
                """.formatted(ACCESS_POINTS, extraStatement == null ? "" : "," + extraStatement);
        String template = """
                {"Resources":{
                  "Jobs":{"Type":"AWS::DynamoDB::Table"},
                  "Cluster":{"Type":"AWS::ECS::Cluster"},
                  "FnRole":{"Type":"AWS::IAM::Role","Properties":{"ManagedPolicyArns":[
                    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]}},
                  "FnPolicy":{"Type":"AWS::IAM::Policy","Properties":{"Roles":[{"Ref":"FnRole"}],
                    "PolicyDocument":{"Statement":[%s]}}},
                  "Fn":{"Type":"AWS::Lambda::Function","Properties":{"Handler":"io.perfbox.Fn::handleRequest",
                    "Role":{"Fn::GetAtt":["FnRole","Arn"]},"Environment":{"Variables":{"TABLE":{"Ref":"Jobs"}}}}}}}
                """.formatted(statements);
        try {
            JsonNode json = TemplateQueries.JSON.readTree(template);
            return StackPolicies.of(json, "us-east-1", "123456789012", Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static IamCall call(String action, String resource, Map<String, String> context) {
        return new IamCall("Fn", "Test.Call", action, resource, context);
    }

    private static final List<IamCall> ALL_USED = List.of(
            call("dynamodb:GetItem", TABLE, Map.of()),
            call("ecs:StopTask", "arn:aws:ecs:us-east-1:123456789012:task/Cluster/0f3c", Map.of("ecs:cluster", CLUSTER)),
            call("elasticfilesystem:DeleteAccessPoint", ACCESS_POINTS.replace("*", "fsap-0123"),
                    Map.of("aws:ResourceTag/perfbox:job", "j1")));

    @Test
    void callsTheirStatementsAllowUsingEveryGrantAreClean() {
        IamEvaluator.Report report = IamEvaluator.check(policies(null), ALL_USED, List.of());
        assertThat(report.clean()).as("%s", report).isTrue();
        // The resolved template names what the functions' environment names.
        assertThat(policies(null).of("Fn").environment()).containsEntry("TABLE", "Jobs");
    }

    @Test
    void aCallNoStatementAllowsIsReportedAsAMissingGrant() {
        List<IamCall> calls = new ArrayList<>(ALL_USED);
        calls.add(call("dynamodb:PutItem", TABLE, Map.of()));
        IamEvaluator.Report report = IamEvaluator.check(policies(null), calls, List.of());
        assertThat(report.denied()).singleElement().asString()
                .contains("dynamodb:PutItem on " + TABLE).contains("no statement allows it");
    }

    @Test
    void aGrantNoCallNeedsIsReportedAsUnused() {
        IamEvaluator.Report report = IamEvaluator.check(policies(null), ALL_USED.subList(1, 3), List.of());
        assertThat(report.denied()).isEmpty();
        assertThat(report.unused()).singleElement().asString()
                .isEqualTo("Fn: dynamodb:GetItem on " + TABLE + " (FnPolicy statement 1)");
    }

    @Test
    void aCallOnAnotherResourceThanGrantedIsReported() {
        List<IamCall> calls = new ArrayList<>(ALL_USED);
        calls.add(call("dynamodb:GetItem", TABLE.replace("Jobs", "ApiKeys"), Map.of()));
        calls.add(call("ecs:StopTask", "arn:aws:ecs:us-east-1:123456789012:task/Other/0f3c",
                Map.of("ecs:cluster", CLUSTER)));
        IamEvaluator.Report report = IamEvaluator.check(policies(null), calls, List.of());
        assertThat(report.denied()).hasSize(2).allMatch(d -> d.contains("no statement allows it"));
    }

    @Test
    void aConditionThatDoesNotHoldDeniesTheCall() {
        List<IamCall> calls = new ArrayList<>(ALL_USED);
        // Another cluster's task; an access point without the job tag (the workspace functions' own).
        calls.add(call("ecs:StopTask", "arn:aws:ecs:us-east-1:123456789012:task/Cluster/0f3d",
                Map.of("ecs:cluster", CLUSTER.replace("Cluster", "Other"))));
        calls.add(call("elasticfilesystem:DeleteAccessPoint", ACCESS_POINTS.replace("*", "fsap-0456"), Map.of()));
        IamEvaluator.Report report = IamEvaluator.check(policies(null), calls, List.of());
        assertThat(report.denied()).hasSize(2);
    }

    @Test
    void aTagKeyConditionHoldsOnlyWhenEveryTagKeyOfTheRequestIsListed() {
        String roles = "arn:aws:iam::123456789012:role/perfbox/jobs/perfbox-job-*";
        String role = roles.replace("*", "j1");
        StackPolicies policies = policies("""
                {"Effect":"Allow","Action":"iam:TagRole","Resource":"%s",
                 "Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":"perfbox:job"}}}""".formatted(roles));
        List<IamCall> jobTagOnly = new ArrayList<>(ALL_USED);
        jobTagOnly.add(call("iam:TagRole", role, Map.of("aws:TagKeys", IamCall.multiValued(List.of("perfbox:job")))));
        assertThat(IamEvaluator.check(policies, jobTagOnly, List.of()).clean()).isTrue();

        List<IamCall> anotherTagToo = new ArrayList<>(ALL_USED);
        anotherTagToo.add(call("iam:TagRole", role,
                Map.of("aws:TagKeys", IamCall.multiValued(List.of("perfbox:job", "owner")))));
        assertThat(IamEvaluator.check(policies, anotherTagToo, List.of()).denied()).singleElement().asString()
                .contains("iam:TagRole on " + role);
    }

    @Test
    void aConditionKeyTheCheckDoesNotKnowFailsTheCheckRatherThanPassingIt() {
        IamEvaluator.Report report = IamEvaluator.check(policies("""
                {"Effect":"Allow","Action":"dynamodb:PutItem","Resource":"%s",
                 "Condition":{"ForAllValues:StringEquals":{"dynamodb:LeadingKeys":["x"]}}}""".formatted(TABLE)),
                List.of(call("dynamodb:PutItem", TABLE, Map.of())), List.of());
        assertThat(report.clean()).isFalse();
        assertThat(report.problems()).singleElement().asString().contains("dynamodb:LeadingKeys");
    }

    @Test
    void aStarResourceForAnActionWithResourceLevelPermissionsIsTooBroadWhileXRaysIsNot() {
        IamEvaluator.Report report = IamEvaluator.check(policies("""
                {"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}"""),
                List.of(call("s3:GetObject", "arn:aws:s3:::bucket/key", Map.of())), List.of());
        assertThat(report.broad()).singleElement().asString().contains("s3:GetObject on *");
        assertThat(report.unused()).noneMatch(u -> u.contains("xray"));
    }

    @Test
    void theRecorderNamesTheIamActionOfTheRequestAsSentAndRefusesCallsOutsideAFunction() {
        SdkCallRecorder recorder = new SdkCallRecorder(new IamActions.Arns("us-east-1", "123456789012"));
        // Nothing listens on port 1: the requests fail after the SDK built them, and are recorded as sent.
        try (S3Client s3 = S3Client.builder().endpointOverride(URI.create("http://127.0.0.1:1")).region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
                .overrideConfiguration(ClientOverrideConfiguration.builder().addExecutionInterceptor(recorder)
                        .retryStrategy(r -> r.maxAttempts(1)).build())
                .build()) {
            recorder.as("Fn", () -> swallow(() -> s3.listObjectsV2(b -> b.bucket("artifacts").prefix("jobs/j1/"))));
            recorder.as("Fn", () -> swallow(() -> s3.headObject(b -> b.bucket("artifacts").key("jobs/j1/Dockerfile"))));
            swallow(() -> s3.deleteObject(b -> b.bucket("artifacts").key("jobs/j1/Dockerfile")));
        }
        assertThat(recorder.calls()).extracting(IamCall::action, IamCall::resource).containsExactly(
                Tuple.tuple("s3:ListBucket", "arn:aws:s3:::artifacts"),
                Tuple.tuple("s3:GetObject", "arn:aws:s3:::artifacts/jobs/j1/Dockerfile"));
        assertThat(recorder.problems()).singleElement().asString().contains("outside any function: S3.DeleteObject");
    }

    private static Object swallow(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException expected) {
            // the engine is absent on purpose
        }
        return null;
    }
}
