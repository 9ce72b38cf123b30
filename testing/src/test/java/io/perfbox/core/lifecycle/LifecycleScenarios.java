package io.perfbox.core.lifecycle;

import io.perfbox.core.domain.Failure;
import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.Finding;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.domain.ScanReport;
import io.perfbox.core.domain.Severity;
import io.perfbox.core.port.ContainerRunner;
import io.perfbox.core.port.ImageBuilder;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import io.perfbox.core.port.JobWorkspace;
import io.perfbox.core.port.VulnerabilityScanner;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * One scripted job per kind of outcome: what each step's adapter reports, and how the job must end (status, exact
 * failure, the status it was in when it ended). Shared by the tests of both drivers of {@link JobLifecycle}.
 */
final class LifecycleScenarios {
    static final long MEMORY_LIMIT = 64L << 20;
    static final String IMAGE = "perfbox/job-image:1";
    static final CapturedLog BUILD_LOG = new CapturedLog("#1 [1/2] FROM debian:bookworm", false);
    static final CapturedLog RUN_LOG = new CapturedLog("epoch 1 done", true);
    static final ScanReport CLEAN = new ScanReport("trivy", "0.58.1", List.of(
            new Finding("CVE-2023-1", "zlib", "1.2", "1.3", Severity.MEDIUM, "t", "debian")));
    static final ScanReport VULNERABLE = new ScanReport("trivy", "0.58.1", List.of(
            new Finding("CVE-2024-6387", "openssh-server", "9.2", "9.2p1-2", Severity.CRITICAL, "regreSSHion", "debian"),
            new Finding("CVE-2023-2", "curl", "8.0", null, Severity.LOW, "t", "debian")));

    private LifecycleScenarios() {
    }

    /**
     * scanReport or scanError (what the scanner returns or throws); failure null for a success; endedIn: the status
     * the job was in when its end was decided.
     */
    record Scenario(String name, ImageBuilder.BuildOutcome built, ScanReport scanReport, RuntimeException scanError,
                    ContainerRunner.RunOutcome ran, JobWorkspace.ResultFile result,
                    JobStatus endStatus, Failure failure, JobStatus endedIn) {

        /** What the AWS workflow's scan state reports for the same scan. */
        JobLifecycle.ScanResult scanResult() {
            return switch (scanError) {
                case null -> new JobLifecycle.Scanned(scanReport);
                case VulnerabilityScanner.ScannerUnavailableException u -> new JobLifecycle.ScannerUnavailable(u.getMessage());
                case VulnerabilityScanner.ScanFailedException f -> new JobLifecycle.ScanFailed(f.getMessage());
                default -> throw new IllegalStateException("not a scanner outcome: " + scanError);
            };
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static final ImageBuilder.Built BUILT = new ImageBuilder.Built(IMAGE, BUILD_LOG);
    private static final ContainerRunner.Exited EXITED_0 = new ContainerRunner.Exited(0, RUN_LOG);
    private static final JobWorkspace.ResultFile PERF_099 = content("{\"perf\":0.99}");

    static JobWorkspace.ResultFile content(String text) {
        return new JobWorkspace.Content(text.getBytes(StandardCharsets.UTF_8));
    }

    private static Scenario build(String name, ImageBuilder.BuildOutcome built, FailureCode code, String message) {
        return new Scenario(name, built, CLEAN, null, EXITED_0, PERF_099, JobStatus.FAILED, Failure.of(code, message),
                JobStatus.BUILDING);
    }

    private static Scenario scan(String name, ScanReport report, RuntimeException error, FailureCode code, String message) {
        return new Scenario(name, BUILT, report, error, EXITED_0, PERF_099, JobStatus.FAILED, Failure.of(code, message),
                JobStatus.SCANNING);
    }

    private static Scenario run(String name, ContainerRunner.RunOutcome ran, JobWorkspace.ResultFile result,
                                FailureCode code, String message) {
        return new Scenario(name, BUILT, CLEAN, null, ran, result, JobStatus.FAILED, Failure.of(code, message),
                JobStatus.RUNNING);
    }

    static Scenario success() {
        return new Scenario("success", BUILT, CLEAN, null, EXITED_0, PERF_099, JobStatus.SUCCEEDED, null, JobStatus.RUNNING);
    }

    /** Every kind of outcome, each with the exact failure clients see. */
    static Stream<Scenario> everyOutcome() {
        return Stream.of(
                success(),
                build("build failed", new ImageBuilder.BuildFailed("RUN make: exit code 2", BUILD_LOG),
                        FailureCode.BUILD_FAILED, "The image did not build: RUN make: exit code 2"),
                build("invalid Dockerfile", new ImageBuilder.InvalidDockerfile("unknown instruction: FORM", BUILD_LOG),
                        FailureCode.INVALID_DOCKERFILE, "The Dockerfile is not valid: unknown instruction: FORM"),
                build("build timeout", new ImageBuilder.BuildTimedOut(Duration.ofSeconds(125), BUILD_LOG),
                        FailureCode.BUILD_TIMEOUT, "The build did not finish within 2 minutes 5 seconds"),
                build("image too large", new ImageBuilder.ImageTooLarge(3L << 30, 2L << 30, BUILD_LOG),
                        FailureCode.IMAGE_TOO_LARGE,
                        "The image is too large to scan or run: the image is 3072.0 MiB, over the limit of 2048.0 MiB"),
                scan("vulnerable", VULNERABLE, null, FailureCode.VULNERABLE,
                        "1 finding at or above HIGH: CVE-2024-6387 (CRITICAL) in openssh-server 9.2, fixed in 9.2p1-2"),
                scan("scanner unavailable", null, new VulnerabilityScanner.ScannerUnavailableException("trivy: not found"),
                        FailureCode.SCANNER_UNAVAILABLE,
                        "No vulnerability scanner is available, so the image was not run: trivy: not found"),
                scan("scan failed", null, new VulnerabilityScanner.ScanFailedException("trivy: DB download failed"),
                        FailureCode.SCANNER_UNAVAILABLE,
                        "The vulnerability scan failed, so the image was not run: trivy: DB download failed"),
                run("exit non-zero", new ContainerRunner.Exited(3, RUN_LOG), PERF_099,
                        FailureCode.RUN_FAILED, "The container exited with code 3"),
                run("out of memory", new ContainerRunner.OutOfMemory(137, RUN_LOG), PERF_099,
                        FailureCode.OUT_OF_MEMORY, "The container ran out of memory (limit 64 MiB) and was killed"),
                run("run timeout", new ContainerRunner.TimedOut(Duration.ofSeconds(45), RUN_LOG), PERF_099,
                        FailureCode.RUN_TIMEOUT, "The container was still running after 45 seconds and was stopped"),
                run("no result", EXITED_0, new JobWorkspace.Missing(),
                        FailureCode.NO_RESULT, "The container exited 0 but wrote no /data/perf.json"),
                run("invalid result", EXITED_0, content("{\"perf\":\"0.9\"}"),
                        FailureCode.INVALID_RESULT, "\"perf\" must be a number, not string"),
                run("invalid metric", EXITED_0, content("{\"perf\":0.9,\"metrics\":{\"top 1\":0.5}}"),
                        FailureCode.INVALID_RESULT, "metric name \"top 1\" has a character outside A-Z a-z 0-9 _ . -"));
    }
}
