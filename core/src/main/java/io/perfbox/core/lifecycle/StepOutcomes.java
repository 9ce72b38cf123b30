package io.perfbox.core.lifecycle;

import io.perfbox.core.domain.Failure;
import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.PerformanceResult;
import io.perfbox.core.domain.Runs;
import io.perfbox.core.domain.VulnerabilityPolicy;
import io.perfbox.core.log.VisibleText;
import io.perfbox.core.port.ContainerRunner;
import io.perfbox.core.port.ImageBuilder;
import io.perfbox.core.port.JobWorkspace;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * What each step's outcome means for a job, in one place for every runtime ({@link JobLifecycle} applies it for
 * the local pipeline and the AWS workflow alike): which outcomes end the job, with which failure code and message,
 * and what the result file a run left is worth. Clients switch on the codes and read the messages, so both
 * runtimes must say the same thing for the same outcome.
 */
public final class StepOutcomes {
    private StepOutcomes() {
    }

    // ---- build ----

    /** Empty when the image was built; otherwise the failure that ends the job. */
    public static Optional<Failure> failureOf(ImageBuilder.BuildOutcome built) {
        return switch (built) {
            case ImageBuilder.Built b -> Optional.empty();
            case ImageBuilder.BuildFailed f -> Optional.of(buildFailed(f.reason()));
            case ImageBuilder.InvalidDockerfile i -> Optional.of(invalidDockerfile(i.reason()));
            case ImageBuilder.BuildTimedOut t -> Optional.of(t.after() != null ? buildTimedOut(t.after()) : buildTimedOut(t.detail()));
            case ImageBuilder.ImageTooLarge l -> Optional.of(l.detail() != null ? imageTooLarge(l.detail())
                    : imageTooLarge(l.sizeBytes(), l.limitBytes()));
            case ImageBuilder.BuilderError e -> Optional.of(internal(e.reason()));
        };
    }

    public static Failure buildFailed(String reason) {
        return Failure.of(FailureCode.BUILD_FAILED, "The image did not build: " + reason);
    }

    /** The longest line of a step's output a failure message quotes; the rest is in the job's log. */
    static final int MAX_QUOTED_LINE = 200;

    /**
     * BUILD_FAILED for job {@code id} when the builder found the instruction that failed: its reason (naming the line
     * and the instruction), the step's last lines of output, each quoted after "  | " and escaped (the output is the
     * tenant's: it can neither drive a terminal nor pass for a line of the message), and where the whole output is.
     */
    public static Failure buildFailed(JobId id, String reason, ImageBuilder.FailedStep step) {
        StringBuilder m = new StringBuilder("The image did not build: ").append(VisibleText.line(reason, 1000));
        if (!step.lastOutput().isEmpty()) {
            m.append("\nIts last ").append(step.lastOutput().size() == 1 ? "line" : step.lastOutput().size() + " lines")
                    .append(" of output:");
            for (String line : step.lastOutput()) {
                m.append("\n  | ").append(VisibleText.line(line, MAX_QUOTED_LINE));
            }
        }
        return Failure.of(FailureCode.BUILD_FAILED, m.append("\nThe whole build output: perfbox logs ").append(id.value())
                .toString());
    }

    /** As {@link #failureOf(ImageBuilder.BuildOutcome)}, for job {@code id}: a failure at a known step quotes it. */
    public static Optional<Failure> failureOf(JobId id, ImageBuilder.BuildOutcome built) {
        if (built instanceof ImageBuilder.BuildFailed f && f.step() != null) {
            return Optional.of(buildFailed(id, f.reason(), f.step()));
        }
        return failureOf(built);
    }

    public static Failure invalidDockerfile(String reason) {
        return Failure.of(FailureCode.INVALID_DOCKERFILE, "The Dockerfile is not valid: " + reason);
    }

    public static Failure buildTimedOut(Duration after) {
        return Failure.of(FailureCode.BUILD_TIMEOUT, "The build did not finish within " + human(after));
    }

    /** For a runtime that learns of the timeout without its length (the build ran elsewhere); detail may be null. */
    public static Failure buildTimedOut(String detail) {
        return Failure.of(FailureCode.BUILD_TIMEOUT, "The build did not finish within its time limit"
                + (detail == null || detail.isBlank() ? "" : ": " + detail));
    }

    public static Failure imageTooLarge(long sizeBytes, long limitBytes) {
        return imageTooLarge("the image is " + mebibytes(sizeBytes) + ", over the limit of " + mebibytes(limitBytes));
    }

    /** For a runtime whose build ran elsewhere and reported the sizes in words. */
    public static Failure imageTooLarge(String detail) {
        return Failure.of(FailureCode.IMAGE_TOO_LARGE, "The image is too large to scan or run: " + detail);
    }

    private static String mebibytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }

    // ---- scan ----

    public static Failure scannerUnavailable(String reason) {
        return Failure.of(FailureCode.SCANNER_UNAVAILABLE,
                "No vulnerability scanner is available, so the image was not run: " + reason);
    }

    public static Failure scanFailed(String reason) {
        return Failure.of(FailureCode.SCANNER_UNAVAILABLE,
                "The vulnerability scan failed, so the image was not run: " + reason);
    }

    /**
     * Empty when the policy lets the image run; otherwise VULNERABLE naming the findings that block it (and the
     * misconfigurations that would have, after them), or MISCONFIGURED naming the misconfigurations when only they do.
     */
    public static Optional<Failure> failureOf(VulnerabilityPolicy policy, VulnerabilityPolicy.Decision decision) {
        if (decision.passed()) {
            return Optional.empty();
        }
        String misconfigured = decision.blockingMisconfigurations().isEmpty() ? ""
                : decision.misconfigurationSummary(policy.misconfigThreshold());
        if (!decision.vulnerable()) {
            return Optional.of(Failure.of(FailureCode.MISCONFIGURED,
                    "The Dockerfile fails the scanner's checks, so the image was not run: " + misconfigured));
        }
        return Optional.of(Failure.of(FailureCode.VULNERABLE, decision.summary(policy.threshold())
                + (misconfigured.isEmpty() ? "" : "; and " + misconfigured)));
    }

    // ---- run ----

    /** Empty when the container exited 0 (its result is collected next); otherwise the failure that ends the job. */
    public static Optional<Failure> failureOf(ContainerRunner.RunOutcome ran, long memoryLimitBytes) {
        return switch (ran) {
            case ContainerRunner.Exited e when e.exitCode() == 0 -> Optional.empty();
            case ContainerRunner.Exited e -> Optional.of(Failure.of(FailureCode.RUN_FAILED,
                    "The container exited with code " + e.exitCode()));
            case ContainerRunner.TimedOut t -> Optional.of(runTimedOut(t.after()));
            case ContainerRunner.OutOfMemory o -> Optional.of(Failure.of(FailureCode.OUT_OF_MEMORY,
                    "The container ran out of memory (limit " + memoryLimitBytes / (1024 * 1024)
                            + " MiB) and was killed"));
            case ContainerRunner.DiskLimitExceeded d -> Optional.of(diskLimit(d.area(), d.limitBytes()));
            case ContainerRunner.FailedToStart f -> Optional.of(Failure.of(FailureCode.RUN_FAILED,
                    "The container could not start: " + f.reason()));
        };
    }

    /** A warning the job keeps although the run did not fail because of it; empty when there is none. */
    public static Optional<String> warningOf(ContainerRunner.RunOutcome ran, long memoryLimitBytes) {
        if (ran instanceof ContainerRunner.Exited e && e.oomKilled()) {
            return Optional.of(outOfMemoryWarning(memoryLimitBytes));
        }
        return Optional.empty();
    }

    public static String outOfMemoryWarning(long memoryLimitBytes) {
        return "A process in the container ran out of memory (limit " + memoryLimitBytes / (1024 * 1024)
                + " MiB) and was killed; the main process exited by itself, so the result may be incomplete";
    }

    public static Failure diskLimit(ContainerRunner.DiskArea area, long limitBytes) {
        String where = switch (area) {
            case DATA -> "/data";
            case WRITABLE_LAYER -> "its own file system (outside /data)";
        };
        return Failure.of(FailureCode.DISK_LIMIT, "The container stored more than " + mebibytes(limitBytes)
                + " in " + where + " and was stopped");
    }

    public static Failure runTimedOut(Duration after) {
        return Failure.of(FailureCode.RUN_TIMEOUT, "The container was still running after " + human(after)
                + " and was stopped");
    }

    // ---- result ----

    /** What the result file of a run that exited 0 is worth: a performance, or the failure that ends the job. */
    public sealed interface Collected permits Measured, Rejected {
    }

    /** The primary value and the named metrics beside it (empty when perf.json had none). */
    public record Measured(double performance, Map<String, Double> metrics) implements Collected {
    }

    public record Rejected(Failure failure) implements Collected {
    }

    public static Collected collect(JobWorkspace.ResultFile file) {
        return switch (file) {
            case JobWorkspace.Missing m -> new Rejected(Failure.of(FailureCode.NO_RESULT,
                    "The container exited 0 but wrote no /data/perf.json"));
            case JobWorkspace.NotRegularFile n -> new Rejected(Failure.of(FailureCode.INVALID_RESULT,
                    "/data/perf.json is a " + n.kind() + ", not a regular file; it was not followed"));
            case JobWorkspace.TooLarge t -> new Rejected(Failure.of(FailureCode.INVALID_RESULT,
                    "/data/perf.json is larger than " + t.limit() + " bytes"));
            case JobWorkspace.Content c -> switch (PerformanceResult.parse(c.bytes())) {
                case PerformanceResult.Valid v -> new Measured(v.performance(), v.metrics());
                case PerformanceResult.Invalid i -> new Rejected(Failure.of(FailureCode.INVALID_RESULT, i.reason()));
            };
        };
    }

    // ---- repeated runs ----

    /** {@code failure} as the run that met it says it: its message after {@code which} ("run 3 of 5: "; "" for one). */
    public static Failure ofRun(String which, Failure failure) {
        return which.isEmpty() ? failure : Failure.of(failure.code(), which + failure.message());
    }

    /**
     * Empty when run {@code number} reports the same metric names as the runs before it (each metric of the job is
     * the median over every run, so every run must have it); otherwise INVALID_RESULT naming both sets.
     */
    public static Optional<Failure> metricsDiffer(Runs runs, int number,
                                                  Map<String, Double> metrics) {
        if (runs.completed().isEmpty()) {
            return Optional.empty();
        }
        var first = new TreeSet<>(runs.completed().get(0).metrics().keySet());
        var these = new TreeSet<>(metrics.keySet());
        if (first.equals(these)) {
            return Optional.empty();
        }
        return Optional.of(Failure.of(FailureCode.INVALID_RESULT, "perf.json has the metrics " + these
                + " but run 1 had " + first + "; every run must report the same metrics"));
    }

    // ---- the platform ----

    /**
     * The platform (the cloud's capacity, hosts or services) failed the job on every one of its attempts: reason is
     * the platform's own, attempts how many were made.
     */
    public static Failure platformFailure(String reason, int attempts) {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be at least 1");
        }
        return Failure.of(FailureCode.PLATFORM_FAILURE, "The platform failed the job ("
                + (attempts == 1 ? "1 attempt" : attempts + " attempts") + "): " + reason
                + "; not the Dockerfile's fault, and resubmitting it is safe");
    }

    // ---- perfbox itself ----

    /** An error of perfbox's own (an adapter failing unexpectedly), named without its trace. */
    public static Failure internal(RuntimeException e) {
        return internal(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }

    public static Failure internal(String what) {
        return Failure.of(FailureCode.INTERNAL, "perfbox hit an internal error: " + what);
    }

    static String human(Duration d) {
        long s = d.toSeconds();
        if (s < 120) {
            return s + (s == 1 ? " second" : " seconds");
        }
        return (s / 60) + " minutes" + (s % 60 == 0 ? "" : " " + (s % 60) + " seconds");
    }
}
