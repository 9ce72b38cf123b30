package io.perfbox.runtime.aws.workflow;

import io.perfbox.adapter.aws.AwsJson;
import io.perfbox.adapter.aws.AwsJobNames;
import io.perfbox.adapter.aws.codebuild.BuildOutcomeFile;
import io.perfbox.adapter.aws.ecs.EcsRunOutcome;
import io.perfbox.adapter.aws.ecs.StoppedTask;
import io.perfbox.adapter.aws.s3.BuildArtifacts;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.adapter.aws.s3.BuildArtifacts.Artifact;
import io.perfbox.adapter.aws.s3.BuildArtifacts.Bounded;
import io.perfbox.core.lifecycle.JobProgress;
import io.perfbox.core.lifecycle.JobProgress.BuildResult;
import io.perfbox.core.lifecycle.JobProgress.NotBuilt;
import io.perfbox.core.lifecycle.JobProgress.ScanFailed;
import io.perfbox.core.lifecycle.JobProgress.Scanned;
import io.perfbox.core.lifecycle.JobProgress.WorkflowEnd;
import io.perfbox.core.lifecycle.StepOutcomes;
import io.perfbox.core.domain.Failure;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.ScanReport;
import io.perfbox.core.port.ContainerRunner;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import io.perfbox.core.port.JobWorkspace;
import io.perfbox.core.port.VulnerabilityScanner.ScanFailedException;
import io.perfbox.core.scan.TrivyReportParser;
import io.perfbox.logging.JobLogContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The workflow's steps that need no file system (the state machine's Lambda, outside the VPC):
 * {"action": "begin" | "after-build" | "prepare-run" | "record-run" | "clean-up" | "fail" | "execution-ended",
 * "jobId": ...}. Thin: the step input becomes a call to {@link JobProgress} (which decides, by the same rules as
 * the local runtime) or to the AWS ports. Every action may be repeated. An exception fails the step, and the
 * state machine's catch ends the job through the "fail" action.
 */
public class WorkflowStepHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    private static final Logger LOG = Logger.getLogger(WorkflowStepHandler.class.getName());

    static final int OUTCOME_MAX_BYTES = 64 * 1024;
    /** The build caps its log at 1 MiB and then writes a "[truncated]" line; a little room for that line. */
    static final int BUILD_LOG_MAX_BYTES = 1024 * 1024 + 4 * 1024;
    static final String BUILD_LOG_TRUNCATED_LINE = "[truncated]";
    /** As the local scanner allows. */
    static final int SCAN_REPORT_MAX_BYTES = 64 * 1024 * 1024;
    /** As the local runner keeps. */
    static final int RUN_LOG_MAX_BYTES = 1024 * 1024;

    private final JobProgress progress;
    private final WorkflowPorts aws;
    private final WorkflowConfig config;

    /** For Lambda: the real adapters, built once per container. */
    public WorkflowStepHandler() {
        this(WorkflowRuntime.progress(), WorkflowRuntime.ports(), WorkflowRuntime.config());
    }

    public WorkflowStepHandler(JobProgress progress, WorkflowPorts aws, WorkflowConfig config) {
        this.progress = progress;
        this.aws = aws;
        this.config = config;
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        JsonNode in = AwsJson.MAPPER.valueToTree(input);
        String action = required(in, "action");
        JobId id = JobId.parse(required(in, "jobId"));
        // Every line this invocation logs (ours, the use case's, the SDK's) carries the job's id.
        return JobLogContext.with(id.value(), () -> step(action, id, in));
    }

    private Map<String, Object> step(String action, JobId id, JsonNode in) {
        LOG.info(() -> "job " + id + ": " + action);
        return switch (action) {
            case "begin" -> output("proceed", progress.begin(id));
            case "after-build" -> afterBuild(id);
            case "prepare-run" -> prepareRun(id, required(in, "imageUri"));
            case "record-run" -> recordRun(id, AwsJson.field(in, "task"), AwsJson.field(in, "error").flatMap(StepError::from),
                    AwsJson.field(in, "result"));
            case "clean-up" -> {
                cleanUp(id);
                yield output("cleanedUp", true);
            }
            case "fail" -> fail(id, AwsJson.text(in, "stage").orElse("unknown"),
                    AwsJson.field(in, "error").flatMap(StepError::from));
            case "execution-ended" -> executionEnded(id, required(in, "status"));
            default -> throw new IllegalArgumentException("unknown action '" + AwsJson.shortened(action, 40) + "'");
        };
    }

    // ---- after-build ----

    private Map<String, Object> afterBuild(JobId id) {
        CapturedLog log = buildLog(id);
        BuildOutcomeFile outcome;
        try {
            outcome = buildOutcome(id);
        } catch (IllegalArgumentException e) {
            LOG.warning(() -> "job " + id + ": " + e.getMessage());
            progress.afterBuild(id, log, new NotBuilt(StepOutcomes.internal(e.getMessage())));
            return output("proceed", false);
        }
        BuildResult result = switch (outcome.outcome()) {
            case BUILD_FAILED -> new NotBuilt(buildFailure(outcome.reason()));
            case BUILD_TIMEOUT -> new NotBuilt(StepOutcomes.buildTimedOut(outcome.reason()));
            case IMAGE_TOO_LARGE -> new NotBuilt(StepOutcomes.imageTooLarge(orElse(outcome.reason(), "over the size limit")));
            case SCAN_FAILED -> new ScanFailed(orElse(outcome.reason(), "Trivy produced no report"));
            case BUILT -> builtImage(id, outcome);
        };
        boolean proceed = progress.afterBuild(id, log, result);
        Map<String, Object> out = output("proceed", proceed);
        if (proceed) {
            out.put("imageUri", outcome.imageUri());
        }
        return out;
    }

    /** build-outcome.json; IllegalArgumentException when it is missing, too large or not what the build writes. */
    private BuildOutcomeFile buildOutcome(JobId id) {
        Bounded file = aws.builds().read(id, Artifact.OUTCOME, OUTCOME_MAX_BYTES)
                .orElseThrow(() -> new IllegalArgumentException("the build step left no build-outcome.json"));
        if (file.truncated()) {
            throw new IllegalArgumentException("the build step left a build-outcome.json larger than "
                    + OUTCOME_MAX_BYTES + " bytes");
        }
        return BuildOutcomeFile.parse(file.bytes());
    }

    private CapturedLog buildLog(JobId id) {
        return aws.builds().read(id, Artifact.LOG, BUILD_LOG_MAX_BYTES).map(b -> {
            String text = new String(b.bytes(), StandardCharsets.UTF_8);
            boolean markedTruncated = text.stripTrailing().endsWith("\n" + BUILD_LOG_TRUNCATED_LINE)
                    || text.strip().equals(BUILD_LOG_TRUNCATED_LINE);
            return new CapturedLog(text, b.truncated() || markedTruncated);
        }).orElse(CapturedLog.EMPTY);
    }

    /** The builder's own words for a Dockerfile it could not parse, as the local builder tells them apart. */
    private static Failure buildFailure(String reason) {
        String why = orElse(reason, "the build step gave no reason");
        return why.contains("dockerfile parse error") ? StepOutcomes.invalidDockerfile(why) : StepOutcomes.buildFailed(why);
    }

    private BuildResult builtImage(JobId id, BuildOutcomeFile outcome) {
        if (!isThisJobsImage(id, outcome.imageUri())) {
            return new NotBuilt(StepOutcomes.internal("the build step reported the image "
                    + AwsJson.shortened(outcome.imageUri(), 200) + ", which is not this job's"));
        }
        Optional<Bounded> raw = aws.builds().read(id, Artifact.SCAN_REPORT, SCAN_REPORT_MAX_BYTES);
        if (raw.isEmpty()) {
            return new ScanFailed("the build step left no scan report");
        }
        if (raw.get().truncated()) {
            return new ScanFailed("Trivy's report is larger than " + SCAN_REPORT_MAX_BYTES + " bytes");
        }
        ScanReport report;
        try {
            report = TrivyReportParser.parse(new String(raw.get().bytes(), StandardCharsets.UTF_8), outcome.trivyVersion());
        } catch (ScanFailedException e) {
            return new ScanFailed(e.getMessage());
        }
        if (!outcome.pushed() && config.policy().evaluate(report).passed()) {
            // The build's own Trivy gate kept the image out of the registry, yet the report shows nothing the policy
            // blocks: the two disagree, and there is no image to run either way.
            return new ScanFailed("the scan gate in the build held the image back, but its report shows no finding "
                    + "at or above " + config.policy().threshold());
        }
        return new Scanned(report);
    }

    /** Only this job's tag in perfbox's repository may run: {@code <registry>/<repository>:job-<id>}. */
    private boolean isThisJobsImage(JobId id, String imageUri) {
        return imageUri != null && imageUri.endsWith("/" + config.ecrRepository() + ":" + AwsJobNames.imageTag(id))
                && imageUri.chars().noneMatch(Character::isWhitespace);
    }

    // ---- prepare-run ----

    private Map<String, Object> prepareRun(JobId id, String imageUri) {
        if (!isThisJobsImage(id, imageUri)) {
            throw new IllegalArgumentException("prepare-run was given " + AwsJson.shortened(imageUri, 200)
                    + ", which is not this job's image");
        }
        String accessPointId = aws.accessPoints().create(id);
        String taskDefinitionArn = aws.taskDefinitions().register(id, imageUri, accessPointId);
        Map<String, Object> out = output("taskDefinitionArn", taskDefinitionArn);
        out.put("accessPointId", accessPointId);
        return out;
    }

    // ---- record-run ----

    private Map<String, Object> recordRun(JobId id, Optional<JsonNode> task, Optional<StepError> error,
                                          Optional<JsonNode> result) {
        ContainerRunner.RunOutcome ran;
        if (error.isPresent()) {
            StepError e = error.get();
            if (e.timedOut()) {
                List<String> stopped = aws.tasks().stopAll(id, "perfbox: the run exceeded its time limit");
                CapturedLog log = stopped.isEmpty() ? CapturedLog.EMPTY : aws.runLogs().read(stopped.get(0), RUN_LOG_MAX_BYTES);
                ran = new ContainerRunner.TimedOut(config.runTimeout(), log);
            } else {
                Optional<StoppedTask> stoppedTask = e.causeJson().flatMap(StoppedTask::from);
                if (stoppedTask.isEmpty()) {
                    // ECS refused or could not place the task (capacity, permissions, a bad parameter): perfbox's side.
                    return output("recorded", progress.fail(id, StepOutcomes.internal("the run could not be started: "
                            + e.describe())));
                }
                ran = EcsRunOutcome.of(stoppedTask.get(), aws.runLogs().read(stoppedTask.get().taskArn(), RUN_LOG_MAX_BYTES));
            }
        } else if (task.isPresent()) {
            StoppedTask stopped = StoppedTask.from(task.get())
                    .orElseThrow(() -> new IllegalArgumentException("record-run's task is not an ECS task description"));
            ran = EcsRunOutcome.of(stopped, aws.runLogs().read(stopped.taskArn(), RUN_LOG_MAX_BYTES));
        } else {
            throw new IllegalArgumentException("record-run needs the run's task or its error");
        }
        Supplier<JobWorkspace.ResultFile> resultFile = () -> ResultFileJson.fromJson(result.orElseThrow(
                () -> new IllegalArgumentException("record-run needs the result of read-result when the container exited 0")));
        return output("recorded", progress.afterRun(id, ran, resultFile));
    }

    // ---- clean-up ----

    /** Removes everything the job's run used, each part even when another fails; idempotent. */
    private void cleanUp(JobId id) {
        List<RuntimeException> problems = new ArrayList<>();
        attempt(problems, id, "stop its tasks", () -> aws.tasks().stopAll(id, "perfbox: the job's workflow ended"));
        attempt(problems, id, "remove its task definitions", () -> aws.taskDefinitions().removeAll(id));
        attempt(problems, id, "delete its access point", () -> aws.accessPoints().delete(id));
        attempt(problems, id, "delete its image", () -> aws.images().delete(id));
        if (!problems.isEmpty()) {
            IllegalStateException failed = new IllegalStateException("clean-up of job " + id + " is incomplete: "
                    + String.join("; ", problems.stream().map(Throwable::getMessage).toList()));
            problems.forEach(failed::addSuppressed);
            throw failed;
        }
    }

    private static void attempt(List<RuntimeException> problems, JobId id, String what, Runnable part) {
        try {
            part.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "job " + id + ": could not " + what, e);
            problems.add(new IllegalStateException("could not " + what + ": " + e.getMessage(), e));
        }
    }

    // ---- fail ----

    private Map<String, Object> fail(JobId id, String stage, Optional<StepError> error) {
        String normalised = stage.toLowerCase(Locale.ROOT).replaceAll("[^a-z]", "");
        boolean runStage = normalised.equals("run") || normalised.equals("runtask");
        if (runStage && error.isPresent() && (error.get().timedOut() || error.get().causeJson().flatMap(StoppedTask::from).isPresent())) {
            // A run that timed out or whose container failed: recorded as the run it was, with its log.
            return recordRun(id, Optional.empty(), error, Optional.empty());
        }
        Failure failure;
        if (error.isEmpty()) {
            failure = StepOutcomes.internal("the " + stage + " step failed");
        } else if ((normalised.equals("build") || normalised.equals("buildandscan")) && buildTimedOut(error.get())) {
            failure = StepOutcomes.buildTimedOut((String) null);
        } else if (error.get().timedOut()) {
            failure = StepOutcomes.internal("the " + stage + " step did not finish in time");
        } else {
            failure = StepOutcomes.internal("the " + stage + " step failed: " + error.get().describe());
        }
        return output("recorded", progress.fail(id, failure));
    }

    /** The state's own timeout, or CodeBuild's (its build, in the Cause, ended TIMED_OUT). */
    private static boolean buildTimedOut(StepError error) {
        if (error.timedOut()) {
            return true;
        }
        return error.causeJson()
                .map(cause -> AwsJson.field(cause, "Build").orElse(cause))
                .flatMap(build -> AwsJson.text(build, "BuildStatus"))
                .map("TIMED_OUT"::equals)
                .orElse(false);
    }

    // ---- execution-ended ----

    /** The execution ended ABORTED, TIMED_OUT or FAILED: clean up, then end a job it left active. */
    private Map<String, Object> executionEnded(JobId id, String status) {
        WorkflowEnd how = switch (status) {
            case "ABORTED" -> WorkflowEnd.ABORTED;
            case "TIMED_OUT" -> WorkflowEnd.TIMED_OUT;
            case "FAILED" -> WorkflowEnd.FAILED;
            default -> throw new IllegalArgumentException("execution-ended expects ABORTED, TIMED_OUT or FAILED, not '"
                    + AwsJson.shortened(status, 40) + "'");
        };
        RuntimeException cleanUpFailed = null;
        try {
            cleanUp(id);
        } catch (RuntimeException e) {
            cleanUpFailed = e;
        }
        // Recorded even when clean-up failed: a job left active forever is worse than a resource left behind.
        boolean recorded = progress.workflowEnded(id, how);
        if (cleanUpFailed != null) {
            throw cleanUpFailed;
        }
        return output("recorded", recorded);
    }

    // ---- helpers ----

    private static String required(JsonNode in, String field) {
        return AwsJson.text(in, field).filter(v -> !v.isBlank())
                .orElseThrow(() -> new IllegalArgumentException("the step input has no \"" + field + "\""));
    }

    private static String orElse(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }

    private static Map<String, Object> output(String key, Object value) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put(key, value);
        return out;
    }
}
