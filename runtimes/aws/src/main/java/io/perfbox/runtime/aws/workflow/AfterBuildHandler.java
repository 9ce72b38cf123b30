package io.perfbox.runtime.aws.workflow;

import io.perfbox.adapter.aws.AwsJobNames;
import io.perfbox.adapter.aws.AwsJson;
import io.perfbox.adapter.aws.codebuild.BuildOutcomeFile;
import io.perfbox.adapter.aws.codebuild.RegistryThrottling;
import io.perfbox.adapter.aws.s3.BuildArtifacts;
import io.perfbox.adapter.aws.s3.BuildArtifacts.Artifact;
import io.perfbox.adapter.aws.s3.BuildArtifacts.Bounded;
import io.perfbox.adapter.docker.BuildFailureReport;
import io.perfbox.adapter.docker.DockerfileSyntax;
import io.perfbox.adapter.trivy.TrivyConfigReportParser;
import io.perfbox.adapter.trivy.TrivyReportParser;
import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.ScanReport;
import io.perfbox.core.domain.Severity;
import io.perfbox.core.lifecycle.JobLifecycle;
import io.perfbox.core.lifecycle.JobLifecycle.ScanResult;
import io.perfbox.core.port.ImageBuilder;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import io.perfbox.core.port.VulnerabilityScanner.ScanFailedException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The AfterBuild state: {jobId} → {"proceed": bool, "imageUri": ... when proceeding}. Reads what the build step
 * (CodeBuild: build, Trivy, push) left in the bucket, each read bounded, and reports it as the build's outcome and
 * then the scan's. Only this job's own image tag may run, and the build's own Trivy gate must agree with the
 * policy; an outcome file that is missing, oversized or malformed is perfbox's fault (INTERNAL).
 */
public class AfterBuildHandler extends WorkflowStep {
    private static final Logger LOG = Logger.getLogger(AfterBuildHandler.class.getName());

    static final int OUTCOME_MAX_BYTES = 64 * 1024;
    /** The build caps its log at 1 MiB and then writes a "[truncated]" line; a little room for that line. */
    static final int BUILD_LOG_MAX_BYTES = 1024 * 1024 + 4 * 1024;
    static final String BUILD_LOG_TRUNCATED_LINE = "[truncated]";
    /** As the local scanner allows. */
    static final int SCAN_REPORT_MAX_BYTES = 64 * 1024 * 1024;

    private final JobLifecycle lifecycle;
    private final BuildArtifacts builds;
    private final WorkflowConfig config;

    /** For Lambda: the lifecycle and the bucket, built once per container. */
    public AfterBuildHandler() {
        this(WorkflowRuntime.lifecycle(), WorkflowRuntime.ports().builds(), WorkflowRuntime.config());
    }

    /** config: the ECR repository the job's image must be in, and the policy's threshold to name. */
    public AfterBuildHandler(JobLifecycle lifecycle, BuildArtifacts builds, WorkflowConfig config) {
        this.lifecycle = lifecycle;
        this.builds = builds;
        this.config = config;
    }

    @Override
    protected Map<String, Object> step(JobId id, Input in) {
        CapturedLog log = buildLog(id);
        BuildOutcomeFile file = null;
        ImageBuilder.BuildOutcome outcome;
        try {
            file = outcomeFile(id);
            outcome = outcomeOf(id, file, log);
        } catch (IllegalArgumentException e) {
            LOG.warning(() -> "job " + id + ": " + e.getMessage());
            outcome = new ImageBuilder.BuilderError(e.getMessage(), log);
        }
        if (outcome instanceof ImageBuilder.BuildFailed) {
            // A registry's rate limit or throttling is the platform's: nothing recorded, the build is tried again.
            Optional<String> throttled = RegistryThrottling.in(log.text());
            if (throttled.isPresent()) {
                throw new RegistryThrottledException("a registry throttled the build's pull: " + throttled.get());
            }
            outcome = located(id, (ImageBuilder.BuildFailed) outcome);
        }
        if (!lifecycle.built(id, outcome).proceed() || !(outcome instanceof ImageBuilder.Built built)) {
            return output("proceed", false);
        }
        if (!lifecycle.scanned(id, scan(id, file)).proceed()) {
            return output("proceed", false);
        }
        return output("proceed", true, "imageUri", built.imageRef());
    }

    // ---- the build ----

    private CapturedLog buildLog(JobId id) {
        return builds.read(id, Artifact.LOG, BUILD_LOG_MAX_BYTES).map(b -> {
            String text = new String(b.bytes(), StandardCharsets.UTF_8);
            boolean markedTruncated = text.stripTrailing().endsWith("\n" + BUILD_LOG_TRUNCATED_LINE)
                    || text.strip().equals(BUILD_LOG_TRUNCATED_LINE);
            return new CapturedLog(text, b.truncated() || markedTruncated);
        }).orElse(CapturedLog.EMPTY);
    }

    /**
     * The failure at the Dockerfile instruction that failed, as the local builder reports it (the same reading of
     * BuildKit's output, {@link BuildFailureReport}, against the job's own Dockerfile): the line and the instruction,
     * the error, and the step's last lines of output. The build's own words when the log or the Dockerfile do not
     * tell it (a Dockerfile that cannot be read is no failure of the step: the job still ends BUILD_FAILED).
     */
    private ImageBuilder.BuildOutcome located(JobId id, ImageBuilder.BuildFailed failed) {
        if (failed.step() != null) {
            return failed;
        }
        Optional<DockerfileSyntax.Parsed> dockerfile;
        try {
            dockerfile = builds.read(id, Artifact.DOCKERFILE, Dockerfile.MAX_BYTES)
                    .filter(b -> !b.truncated())
                    .map(b -> DockerfileSyntax.parse(new String(b.bytes(), StandardCharsets.UTF_8)));
        } catch (RuntimeException e) {
            LOG.warning(() -> "job " + id + ": the Dockerfile could not be read to locate the build's failure: " + e);
            return failed;
        }
        return dockerfile.flatMap(parsed -> BuildFailureReport.fromBuildKit(failed.log().text(), parsed))
                .<ImageBuilder.BuildOutcome>map(at -> new ImageBuilder.BuildFailed(at.reason(), failed.log(), at.step()))
                .orElse(failed);
    }

    /** build-outcome.json; IllegalArgumentException when it is missing, too large or not what the build writes. */
    private BuildOutcomeFile outcomeFile(JobId id) {
        Bounded file = builds.read(id, Artifact.OUTCOME, OUTCOME_MAX_BYTES)
                .orElseThrow(() -> new IllegalArgumentException("the build step left no build-outcome.json"));
        if (file.truncated()) {
            throw new IllegalArgumentException("the build step left a build-outcome.json larger than "
                    + OUTCOME_MAX_BYTES + " bytes");
        }
        return BuildOutcomeFile.parse(file.bytes());
    }

    /** The file's outcome; IllegalArgumentException for a built image that is not this job's. */
    private ImageBuilder.BuildOutcome outcomeOf(JobId id, BuildOutcomeFile file, CapturedLog log) {
        if (file.outcome() == BuildOutcomeFile.Outcome.BUILT
                && !AwsJobNames.isJobImage(config.ecrRepository(), id, file.imageUri())) {
            throw new IllegalArgumentException("the build step reported the image "
                    + AwsJson.shortened(file.imageUri(), 200) + ", which is not this job's");
        }
        return file.toBuildOutcome(log);
    }

    // ---- the scan (in the build step) ----

    private ScanResult scan(JobId id, BuildOutcomeFile file) {
        Optional<String> scanFailure = file.scanFailure();
        if (scanFailure.isPresent()) {
            return new JobLifecycle.ScanFailed(scanFailure.get());
        }
        Optional<Bounded> raw = builds.read(id, Artifact.SCAN_REPORT, SCAN_REPORT_MAX_BYTES);
        if (raw.isEmpty()) {
            return new JobLifecycle.ScanFailed("the build step left no scan report");
        }
        if (raw.get().truncated()) {
            return new JobLifecycle.ScanFailed("Trivy's report is larger than " + SCAN_REPORT_MAX_BYTES + " bytes");
        }
        ScanReport report;
        try {
            // The DB's time as the build read it from the mirrored DB's metadata.json (Trivy's UpdatedAt).
            report = TrivyReportParser.parse(raw.get().bytes(), file.trivyVersion())
                    .withDatabase(file.trivyDbUpdatedAt(), null);
        } catch (ScanFailedException e) {
            return new JobLifecycle.ScanFailed(e.getMessage());
        }
        Severity misconfigThreshold = config.policy().misconfigThreshold();
        Optional<Bounded> checks = builds.read(id, Artifact.MISCONFIG_REPORT, TrivyConfigReportParser.MAX_BYTES);
        if (checks.isPresent()) {
            if (checks.get().truncated()) {
                return new JobLifecycle.ScanFailed("Trivy's Dockerfile report is larger than "
                        + TrivyConfigReportParser.MAX_BYTES + " bytes");
            }
            try {
                report = report.withMisconfigurations(TrivyConfigReportParser.parse(checks.get().bytes()));
            } catch (ScanFailedException e) {
                return new JobLifecycle.ScanFailed(e.getMessage());
            }
        } else if (misconfigThreshold != null) {
            // Misconfigurations may block: an image whose Dockerfile was not checked never runs.
            return new JobLifecycle.ScanFailed("the build step left no report of Trivy's Dockerfile checks, and "
                    + "misconfigurations at or above " + misconfigThreshold + " block the image");
        } else {
            // Warnings only: the job goes on without them (a build of a buildspec from before the checks).
            LOG.warning(() -> "job " + id + ": the build step left no report of Trivy's Dockerfile checks");
        }
        if (!file.pushed() && lifecycle.passes(report)) {
            // The build's own Trivy gate kept the image out of the registry, yet the report shows nothing the policy
            // blocks: the two disagree, and there is no image to run either way.
            return new JobLifecycle.ScanFailed("the scan gate in the build held the image back, but its report shows "
                    + "no finding at or above " + config.policy().threshold() + (misconfigThreshold == null ? ""
                    : " nor misconfiguration at or above " + misconfigThreshold));
        }
        return new JobLifecycle.Scanned(report);
    }
}
