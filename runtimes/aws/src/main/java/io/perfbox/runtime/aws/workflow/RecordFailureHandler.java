package io.perfbox.runtime.aws.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.perfbox.adapter.aws.AwsJson;
import io.perfbox.core.domain.Failure;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.lifecycle.JobLifecycle.Next;
import io.perfbox.core.lifecycle.StepOutcomes;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;

/**
 * The Catch of every state: {jobId, stage, error, retry (the build's)} → {"recorded": bool, "retry": bool,
 * "waitSeconds" when retrying}. A run that timed out or whose container failed is recorded as the run it was, with its
 * log; a build that timed out (the state's timeout or CodeBuild's) ends BUILD_TIMEOUT; a build the platform failed
 * (CodeBuild's account limit, a build that faulted or failed before the buildspec ran) is tried again while the
 * policy has attempts left, then ends PLATFORM_FAILURE, as does a Lambda step the Lambda service failed on every
 * retry; anything else is perfbox's own failure (INTERNAL), naming the stage and the error.
 */
public class RecordFailureHandler extends WorkflowStep {
    /**
     * The Lambda service's errors as Step Functions names them (Step Functions Developer Guide, "Handle Lambda
     * service exceptions": ClientExecutionTimeoutException, ServiceException, AWSLambdaException, SdkClientException,
     * and TooManyRequestsException when Lambda hits its invocation limit), retried by every Lambda state
     * (JobWorkflow): they are the platform's.
     */
    public static final List<String> LAMBDA_SERVICE_ERRORS = List.of("Lambda.ServiceException",
            "Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.ClientExecutionTimeoutException",
            "Lambda.TooManyRequestsException");
    /** Attempts a Lambda state makes on those errors: the first and JobWorkflow's 6 retries. */
    public static final int LAMBDA_ATTEMPTS = 7;
    /** CodeBuild's phases before the buildspec's own (INSTALL on): a failure there is CodeBuild's, not the build's. */
    static final Set<String> PHASES_BEFORE_BUILDSPEC = Set.of("SUBMITTED", "QUEUED", "PROVISIONING", "DOWNLOAD_SOURCE");
    static final String ACCOUNT_LIMIT = "CodeBuild.AccountLimitExceededException";
    /**
     * A phase context's code for a buildspec CodeBuild could not read (DOWNLOAD_SOURCE "stat .../build.yml: no such
     * file or directory", aws-samples/mlops-e2e issue #68): perfbox's buildspec, which no retry mends.
     */
    static final String YAML_FILE_ERROR = "YAML_FILE_ERROR";

    private static final Logger LOG = Logger.getLogger(RecordFailureHandler.class.getName());
    private final RunRecorder runs;

    /** For Lambda: the lifecycle, ECS and CloudWatch Logs, built once per container. */
    public RecordFailureHandler() {
        this(WorkflowRuntime.runRecorder());
    }

    public RecordFailureHandler(RunRecorder runs) {
        this.runs = runs;
    }

    @Override
    protected Map<String, Object> step(JobId id, Input in) {
        String stage = in.text("stage").orElse("unknown");
        Optional<StepError> error = in.error();
        String normalised = stage.toLowerCase(Locale.ROOT).replaceAll("[^a-z]", "");
        boolean runStage = normalised.equals("run") || normalised.equals("runtask");
        if (runStage && error.isPresent() && RunRecorder.isRunOutcome(error.get())) {
            return recorded(runs.record(id, Optional.empty(), error));
        }
        boolean buildStage = normalised.equals("build") || normalised.equals("buildandscan");
        Optional<String> platform = error.flatMap(e -> buildStage ? buildPlatformFailure(e) : Optional.empty());
        Attempts attempts = buildStage ? Attempts.from(in.field("retry")) : Attempts.ONLY;
        if (platform.isPresent() && attempts.anotherLeft()) {
            LOG.warning(() -> "job " + id + ": build attempt " + attempts.attempt() + " of " + attempts.maxAttempts()
                    + " failed through the platform, trying again in " + attempts.waitSeconds() + " s: " + platform.get());
            return attempts.retryOutput();
        }
        Failure failure;
        if (platform.isPresent()) {
            failure = StepOutcomes.platformFailure(platform.get(), attempts.attempt());
        } else if (error.isPresent() && LAMBDA_SERVICE_ERRORS.contains(error.get().error())) {
            failure = StepOutcomes.platformFailure("the Lambda service failed the " + stage + " step on every retry ("
                    + error.get().describe() + ")", LAMBDA_ATTEMPTS);
        } else if (error.isEmpty()) {
            failure = StepOutcomes.internal("the " + stage + " step failed");
        } else if (buildStage && codeBuildTimedOut(error.get())) {
            failure = StepOutcomes.buildTimedOut((String) null);
        } else if (error.get().timedOut()) {
            // The state's own timer: it is set past CodeBuild's queue and build limits, so the build never ran too
            // long; CodeBuild (or the integration) did not answer. perfbox's side, not the customer's.
            failure = StepOutcomes.internal("the " + stage + " step did not finish in time");
        } else {
            failure = StepOutcomes.internal("the " + stage + " step failed: " + error.get().describe());
        }
        return recorded(runs.lifecycle().fail(id, failure));
    }

    private static Map<String, Object> recorded(Next next) {
        return output("recorded", next == Next.ENDED, "retry", false);
    }

    /**
     * The platform's reason when CodeBuild failed the build: its account limit once the state's Retry gave up, a
     * build or a phase that ended FAULT (CodeBuild's own error: "The build phase faulted"), or one that failed or timed
     * out in a phase before the buildspec ran (SUBMITTED, QUEUED, PROVISIONING, DOWNLOAD_SOURCE: a timeout there is
     * CodeBuild's queue's, queuedTimeoutInMinutes, not the customer's build), unless CodeBuild could not read perfbox's
     * buildspec (YAML_FILE_ERROR), which is perfbox's own.
     */
    static Optional<String> buildPlatformFailure(StepError error) {
        if (ACCOUNT_LIMIT.equals(error.error())) {
            return Optional.of("CodeBuild refused to start the build (" + error.describe() + ")");
        }
        if (RegistryThrottledException.ERROR.equals(error.error())) {
            return Optional.of(error.causeJson().flatMap(c -> AwsJson.text(c, "errorMessage"))
                    .orElse("a registry throttled the build's pull"));
        }
        Optional<JsonNode> build = error.causeJson().map(cause -> AwsJson.field(cause, "Build").orElse(cause));
        Optional<String> status = build.flatMap(b -> AwsJson.text(b, "BuildStatus"));
        if (status.isEmpty()) {
            return Optional.empty();
        }
        Optional<FailedPhase> failed = failedPhase(build.get());
        if (status.get().equals("FAULT") || failed.map(p -> p.status().equals("FAULT")).orElse(false)) {
            return Optional.of("the CodeBuild build ended FAULT" + failed.map(p -> " in " + p.describe()).orElse(""));
        }
        if (status.get().equals("FAILED") || status.get().equals("TIMED_OUT")) {
            return failed.filter(p -> PHASES_BEFORE_BUILDSPEC.contains(p.type()) && !YAML_FILE_ERROR.equals(p.code()))
                    .map(p -> "the CodeBuild build " + (p.status().equals("TIMED_OUT") ? "timed out" : "failed")
                            + " in " + p.describe() + ", before the buildspec ran");
        }
        return Optional.empty();
    }

    private record FailedPhase(String type, String status, String code, String message) {
        String describe() {
            return message.isEmpty() ? type : type + " (" + message + ")";
        }
    }

    /** The first phase that did not succeed, with CodeBuild's context code and message for it when it gave them. */
    private static Optional<FailedPhase> failedPhase(JsonNode build) {
        Optional<JsonNode> phases = AwsJson.field(build, "Phases").filter(JsonNode::isArray);
        if (phases.isEmpty()) {
            return Optional.empty();
        }
        for (JsonNode phase : phases.get()) {
            Optional<String> phaseStatus = AwsJson.text(phase, "PhaseStatus");
            if (phaseStatus.isPresent() && !phaseStatus.get().equals("SUCCEEDED")) {
                String type = AwsJson.text(phase, "PhaseType").orElse("an unnamed phase");
                String code = "";
                String message = "";
                JsonNode contexts = AwsJson.field(phase, "Contexts").filter(JsonNode::isArray)
                        .orElse(MissingNode.getInstance());
                for (JsonNode context : contexts) {
                    code = code.isEmpty() ? AwsJson.text(context, "StatusCode").orElse("") : code;
                    message = message.isEmpty() ? AwsJson.text(context, "Message").filter(t -> !t.isBlank())
                            .map(m -> AwsJson.shortened(m, 300)).orElse("") : message;
                }
                return Optional.of(new FailedPhase(type, phaseStatus.get(), code, message));
            }
        }
        return Optional.empty();
    }

    /** CodeBuild's own timeout: its build, in the Cause, ended TIMED_OUT. */
    private static boolean codeBuildTimedOut(StepError error) {
        return error.causeJson()
                .map(cause -> AwsJson.field(cause, "Build").orElse(cause))
                .flatMap(build -> AwsJson.text(build, "BuildStatus"))
                .map("TIMED_OUT"::equals)
                .orElse(false);
    }
}
