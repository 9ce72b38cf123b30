package io.perfbox.infra;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.codebuild.BuildEnvironmentVariable;
import software.amazon.awscdk.services.codebuild.IProject;
import software.amazon.awscdk.services.ecr.IRepository;
import software.amazon.awscdk.services.s3.IBucket;
import software.amazon.awscdk.services.stepfunctions.Choice;
import software.amazon.awscdk.services.stepfunctions.Condition;
import software.amazon.awscdk.services.stepfunctions.IntegrationPattern;
import software.amazon.awscdk.services.stepfunctions.JitterType;
import software.amazon.awscdk.services.stepfunctions.JsonPath;
import software.amazon.awscdk.services.stepfunctions.Pass;
import software.amazon.awscdk.services.stepfunctions.Result;
import software.amazon.awscdk.services.stepfunctions.RetryProps;
import software.amazon.awscdk.services.stepfunctions.Timeout;
import software.amazon.awscdk.services.stepfunctions.Wait;
import software.amazon.awscdk.services.stepfunctions.WaitTime;
import software.amazon.awscdk.services.stepfunctions.tasks.CodeBuildStartBuild;
import software.amazon.awscdk.services.stepfunctions.tasks.LambdaInvoke;

/**
 * The build (and the scan in it): CodeBuild runs buildspecs/build-and-scan.yml for the job; the customer's failures
 * are outcomes the build step writes, read by {@link ScanStates}' AfterBuild. States, in the order a job meets them:
 * ShouldBuild (after Begin), BuildAndScan; when the build failed, "build failed" then RecordFailedBuild, and RetryBuild,
 * BuildBackoff and NextBuildAttempt back to BuildAndScan while the platform's attempts last.
 */
final class BuildStates {
    private final CodeBuildStartBuild buildAndScan;
    private final LambdaInvoke recordFailedBuild;
    private final Choice retryBuild;

    BuildStates(WorkflowStates states, IProject project, IRepository images, IBucket artifacts,
                AdmissionStates admission) {
        var scope = states.scope();
        StackConfig config = states.config();
        // 2. BuildAndScan: CodeBuild runs buildspecs/build-and-scan.yml for this job; customer failures are outcomes.
        Map<String, BuildEnvironmentVariable> overrides = new LinkedHashMap<>();
        overrides.put("JOB_ID", plain(JsonPath.stringAt("$.jobId")));
        overrides.put("ARTIFACT_BUCKET", plain(artifacts.getBucketName()));
        overrides.put("IMAGE_REPOSITORY_URI", plain(images.getRepositoryUri()));
        overrides.put("SEVERITY_THRESHOLD", plain(config.severityThreshold()));
        overrides.put("IGNORE_UNFIXED", plain(Boolean.toString(config.ignoreUnfixed())));
        overrides.put("MISCONFIG_THRESHOLD", plain(config.misconfigThreshold()));
        overrides.put("BUILD_TIMEOUT_SECONDS", plain(Integer.toString(config.buildTimeoutSeconds())));
        overrides.put("MAX_IMAGE_BYTES", plain(Long.toString(config.maxImageBytes())));
        buildAndScan = CodeBuildStartBuild.Builder.create(scope, "BuildAndScan")
                .project(project)
                .integrationPattern(IntegrationPattern.RUN_JOB)
                .environmentVariablesOverride(overrides)
                // CodeBuild's own timeout fires first (its build ends TIMED_OUT: the Fail step records BUILD_TIMEOUT);
                // this one only if CodeBuild itself never answers.
                .taskTimeout(Timeout.duration(JobWorkflow.buildStateTimeout(config)))
                .resultSelector(Ordered.map("buildId.$", "$.Build.Id", "buildStatus.$", "$.Build.BuildStatus"))
                .resultPath("$.build")
                .build();
        buildAndScan.addRetry(RetryProps.builder()
                .errors(List.of("CodeBuild.AccountLimitExceededException"))
                .interval(Duration.seconds(30)).maxAttempts(5).backoffRate(2).jitterStrategy(JitterType.FULL)
                .build());

        // A build the platform failed goes round again (a new build, after a wait) while attempts are left; the
        // RecordFailedBuild step decides, and records every other failure as the Fail step does.
        recordFailedBuild = states.lambdaTask("RecordFailedBuild", WorkflowFunctions.State.RECORD_FAILURE, Ordered.map(
                "jobId.$", "$.jobId", "stage.$", "$.stage", "error.$", "$.error",
                "retry", states.retryPolicy("$.attempts.build")), "$.failedBuild");
        // The next attempt's state is rebuilt without the failed one's stage, error and answer: a build that then
        // succeeds must not end as a failed step.
        Pass nextBuildAttempt = Pass.Builder.create(scope, "NextBuildAttempt")
                .parameters(Ordered.map("jobId.$", "$.jobId", "begin.$", "$.begin", "attempts", Ordered.map(
                        "build.$", "States.MathAdd($.attempts.build, 1)", "run.$", "$.attempts.run")))
                .resultPath("$")
                .build();
        retryBuild = Choice.Builder.create(scope, "RetryBuild").build()
                .when(Condition.booleanEquals("$.failedBuild.retry", true),
                        Wait.Builder.create(scope, "BuildBackoff")
                                .time(WaitTime.secondsPath("$.failedBuild.waitSeconds")).build()
                                .next(nextBuildAttempt));
        Pass buildFailed = Pass.Builder.create(scope, "Stage-build").stateName("build failed")
                .result(Result.fromString("build")).resultPath("$.stage").build();
        buildFailed.next(recordFailedBuild).next(retryBuild);
        buildAndScan.addCatch(buildFailed, WorkflowStates.catchAll("$.error"));
        nextBuildAttempt.next(buildAndScan);

        admission.begin().next(Choice.Builder.create(scope, "ShouldBuild").build()
                .when(Condition.booleanEquals("$.begin.proceed", true), buildAndScan)
                .otherwise(admission.releaseSlot()));
    }

    CodeBuildStartBuild buildAndScan() {
        return buildAndScan;
    }

    /** Records a failed build, or answers that the platform's failure is tried again. */
    LambdaInvoke recordFailedBuild() {
        return recordFailedBuild;
    }

    /** Whether RecordFailedBuild asked for another attempt (its otherwise: the end, {@link FailureStates}). */
    Choice retryBuild() {
        return retryBuild;
    }

    private static BuildEnvironmentVariable plain(String value) {
        return BuildEnvironmentVariable.builder().value(value).build();
    }
}
