package io.perfbox.runtime.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.spi.ToolProvider;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The two deployment jars the package phase shades: what each holds, what it leaves out, and that perfbox's own
 * classes in it find every class they refer to there (jdeps), so a left-out part can only be one nobody uses.
 * (That the functions run from them is ApiFunctionsOnAwsIT's part.)
 */
class DeploymentJarsIT {
    private static final Path API_JAR = Path.of("target", "perfbox-api-lambda.jar");
    private static final Path WORKFLOW_JAR = Path.of("target", "perfbox-workflow-lambda.jar");
    /** The benchmark's budget for the API functions' jar. */
    private static final long API_JAR_BUDGET_BYTES = 20L * 1000 * 1000;

    private static List<String> entries(Path jar) throws Exception {
        assertThat(jar).as("built by mvn package").isRegularFile();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            return zip.stream().map(e -> e.getName()).toList();
        }
    }

    /** The dependencies of perfbox's classes in the jar that the jar lacks, as jdeps reports them. */
    private static List<String> missingDependenciesOfPerfboxClasses(Path jar) {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        int exit = jdeps.run(print, print, "--multi-release", "21", "-verbose:class", "-filter:none", jar.toString());
        assertThat(exit).as("jdeps: %s", out).isZero();
        return out.toString(StandardCharsets.UTF_8).lines()
                .filter(line -> line.strip().startsWith("io.perfbox.") && line.contains("not found"))
                .map(String::strip)
                .toList();
    }

    @Test
    void apiJarIsWithinItsBudgetAndHoldsNothingOfTheWorkflow() throws Exception {
        long size = Files.size(API_JAR);
        System.out.printf("perfbox-api-lambda.jar: %,d bytes; perfbox-workflow-lambda.jar: %,d bytes%n",
                size, Files.size(WORKFLOW_JAR));
        assertThat(size).as("API jar size in bytes").isLessThanOrEqualTo(API_JAR_BUDGET_BYTES);

        List<String> entries = entries(API_JAR);
        assertThat(entries).contains("io/perfbox/runtime/aws/api/ApiHandler.class",
                "io/perfbox/runtime/aws/api/ApiPriming.class", "io/perfbox/api/ApiOperation.class",
                "io/perfbox/api/PerfboxApi.class", "io/perfbox/api/openapi.json", "io/perfbox/core/lifecycle/JobLifecycle.class",
                "io/perfbox/adapter/aws/dynamodb/DynamoDbJobStore.class",
                "io/perfbox/runtime/aws/auth/TenantAuthorizer.class", "io/perfbox/runtime/aws/auth/KeysTool.class",
                "io/perfbox/adapter/aws/dynamodb/DynamoDbApiKeyStore.class", "io/perfbox/core/auth/ApiKeys.class",
                "io/perfbox/adapter/aws/sfn/StepFunctionsPipelineLauncher.class",
                "io/perfbox/adapter/aws/logs/CloudWatchJobLogs.class",
                "software/amazon/awssdk/services/cloudwatchlogs/CloudWatchLogsClient.class",
                "io/perfbox/logging/JsonLogFormatter.class", "org/crac/Core.class",
                "software/amazon/awssdk/services/sfn/SfnClient.class",
                "software/amazon/awssdk/http/urlconnection/UrlConnectionHttpClient.class",
                "com/amazonaws/services/lambda/runtime/events/APIGatewayProxyRequestEvent.class");
        assertThat(entries).noneMatch(e -> e.startsWith("io/perfbox/runtime/aws/workflow/")
                || e.startsWith("io/perfbox/adapter/aws/ecs/") || e.startsWith("io/perfbox/adapter/aws/efs/")
                || e.startsWith("io/perfbox/adapter/aws/ecr/") || e.startsWith("io/perfbox/adapter/aws/iam/")
                || e.startsWith("io/perfbox/adapter/aws/logs/CloudWatchRunLogs")
                || e.startsWith("io/perfbox/adapter/aws/codebuild/")
                || e.startsWith("io/perfbox/adapter/aws/s3/S3BuildArtifacts") || e.startsWith("io/perfbox/adapter/trivy/"));
        assertThat(entries).as("no test support in a deployment jar").noneMatch(e -> e.startsWith("io/perfbox/testing/")
                || e.startsWith("org/testcontainers/") || e.startsWith("org/junit/") || e.startsWith("org/assertj/"));
        assertThat(entries).noneMatch(e -> e.startsWith("software/amazon/awssdk/services/ecs/")
                || e.startsWith("software/amazon/awssdk/services/efs/") || e.startsWith("software/amazon/awssdk/services/ecr/")
                || e.startsWith("software/amazon/awssdk/services/codebuild/")
                || e.startsWith("software/amazon/awssdk/services/iam/"));
        assertThat(missingDependenciesOfPerfboxClasses(API_JAR)).isEmpty();
    }

    @Test
    void workflowJarHoldsTheWorkflowAndNothingOfTheApi() throws Exception {
        List<String> entries = entries(WORKFLOW_JAR);
        assertThat(entries).contains(
                "io/perfbox/runtime/aws/workflow/BeginHandler.class",
                "io/perfbox/runtime/aws/workflow/AfterBuildHandler.class",
                "io/perfbox/runtime/aws/workflow/PrepareRunHandler.class",
                "io/perfbox/runtime/aws/workflow/RecordRunHandler.class",
                "io/perfbox/runtime/aws/workflow/RecordFailureHandler.class",
                "io/perfbox/runtime/aws/workflow/CleanUpHandler.class",
                "io/perfbox/runtime/aws/workflow/ExecutionEndedHandler.class",
                "io/perfbox/runtime/aws/workflow/ReconcileHandler.class",
                "io/perfbox/adapter/aws/codebuild/CodeBuildJobBuilds.class",
                "io/perfbox/adapter/aws/sfn/ExecutionHistory.class",
                "io/perfbox/adapter/aws/sfn/StepFunctionsPipelineLauncher.class",
                "software/amazon/awssdk/services/sfn/SfnClient.class",
                "software/amazon/awssdk/services/codebuild/CodeBuildClient.class",
                "io/perfbox/core/lifecycle/JobLifecycle.class", "io/perfbox/adapter/trivy/TrivyReportParser.class",
                "io/perfbox/adapter/trivy/TrivyConfigReportParser.class",
                "io/perfbox/adapter/aws/ecs/EcsJobTasks.class", "io/perfbox/adapter/aws/codebuild/BuildOutcomeFile.class",
                "io/perfbox/adapter/aws/logs/CollectorRecord.class",
                "io/perfbox/logging/JsonLogFormatter.class", "software/amazon/awssdk/services/ecs/EcsClient.class",
                "software/amazon/awssdk/services/cloudwatchlogs/CloudWatchLogsClient.class");
        assertThat(entries).as("of the Trivy adapter, the reports' parsers alone").noneMatch(
                e -> e.startsWith("io/perfbox/adapter/trivy/") && !e.endsWith("/")
                        && !e.startsWith("io/perfbox/adapter/trivy/TrivyReportParser")
                        && !e.startsWith("io/perfbox/adapter/trivy/TrivyConfigReportParser"));
        assertThat(entries).noneMatch(e -> e.startsWith("io/perfbox/api/") || e.startsWith("io/perfbox/runtime/aws/api/")
                || e.startsWith("io/perfbox/runtime/aws/auth/")
                || e.startsWith("io/perfbox/testing/") || e.startsWith("org/crac/")
                || e.startsWith("com/amazonaws/services/lambda/runtime/events/"));
        // Nothing per job in IAM or on a file system: neither client is in the workflow's jar at all.
        assertThat(entries).noneMatch(e -> e.startsWith("software/amazon/awssdk/services/iam/")
                || e.startsWith("software/amazon/awssdk/services/efs/"));
        assertThat(missingDependenciesOfPerfboxClasses(WORKFLOW_JAR)).isEmpty();
    }

    @Test
    void neitherJarCarriesAnotherHttpClientTheOtherLambdaEventsOrTheDynamoDbStreamsClient() throws Exception {
        for (Path jar : List.of(API_JAR, WORKFLOW_JAR)) {
            assertThat(entries(jar)).as(jar.toString()).noneMatch(e -> e.startsWith("software/amazon/awssdk/http/apache")
                    || e.startsWith("software/amazon/awssdk/http/nio/netty") || e.startsWith("io/netty/")
                    || e.startsWith("org/apache/http/") || e.startsWith("org/joda/")
                    || e.startsWith("com/amazonaws/services/lambda/runtime/events/S3")
                    || e.startsWith("software/amazon/awssdk/services/dynamodb/streams/"));
        }
    }
}
