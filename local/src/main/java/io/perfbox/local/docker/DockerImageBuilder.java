package io.perfbox.local.docker;

import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.ImageBuilder;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import io.perfbox.local.process.ProcessRunner;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code docker build} with the Dockerfile on stdin as the whole build context: COPY or ADD of local files
 * fails, nothing of the host is sent. The image is tagged and labelled for its job.
 */
public class DockerImageBuilder implements ImageBuilder {
    private static final int MAX_LOG_BYTES = 1024 * 1024;
    private static final Pattern FAILED_STEP = Pattern.compile(
            "(?m)^(?:The command '.*' returned a non-zero code: \\d+|.*(?:COPY|ADD) failed:.*|ERROR: .*|error: .*|"
                    + "Error response from daemon: .*|.*did not complete successfully.*|failed to .*)$");

    private final DockerCli docker;
    private final String storeId;
    private final long maxImageBytes;

    /** maxImageBytes: a built image larger than this is removed at once and reported {@link ImageTooLarge}. */
    public DockerImageBuilder(DockerCli docker, String storeId, long maxImageBytes) {
        if (maxImageBytes <= 0) {
            throw new IllegalArgumentException("the image size limit must be positive");
        }
        this.docker = docker;
        this.storeId = storeId;
        this.maxImageBytes = maxImageBytes;
    }

    @Override
    public BuildOutcome build(JobId id, Dockerfile dockerfile, Duration timeout) throws InterruptedException {
        String tag = DockerCli.imageTag(id.value());
        ProcessRunner.Result r;
        try {
            r = docker.command("build", "--tag", tag,
                            "--label", DockerCli.STORE_LABEL + "=" + storeId,
                            "--label", DockerCli.JOB_LABEL + "=" + id.value(),
                            "--rm", "--force-rm", "-")
                    // The classic builder needs no buildx plugin, and cancels the build (killing and removing the
                    // step's container) as soon as the client goes away: killing the CLI on timeout or cancel is enough.
                    .env("DOCKER_BUILDKIT", "0")
                    .stdin(dockerfile.text().getBytes(StandardCharsets.UTF_8))
                    .timeout(timeout)
                    .mergeStderr()
                    .maxStdoutBytes(MAX_LOG_BYTES)
                    .run();
        } catch (ProcessRunner.StartFailedException e) {
            return new BuildFailed("docker could not be started: " + e.getMessage(), CapturedLog.EMPTY);
        }
        CapturedLog log = r.stdoutLog();
        if (r.timedOut()) {
            return new BuildTimedOut(timeout, log);
        }
        if (r.exitCode() != 0) {
            String reason = reason(log.text(), r.exitCode());
            return reason.contains("dockerfile parse error") ? new InvalidDockerfile(reason, log) : new BuildFailed(reason, log);
        }
        long size = imageSize(tag);
        if (size > maxImageBytes) {
            // Removed now, not at clean-up: it must not sit on the engine's disk while the job is being recorded.
            remove(id);
            return new ImageTooLarge(size, maxImageBytes, log);
        }
        return new Built(tag, log);
    }

    /** The image's size as the engine reports it (all its layers, the base image's included). */
    private long imageSize(String tag) throws InterruptedException {
        ProcessRunner.Result r = docker.command("image", "inspect", "--format", "{{.Size}}", tag)
                .timeout(Duration.ofMinutes(1)).maxStdoutBytes(1024).run();
        if (!r.succeeded()) {
            throw new IllegalStateException("docker could not tell the size of the built image " + tag + ": " + r.errorText());
        }
        try {
            return Long.parseLong(r.stdoutText().strip());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("docker reported an unreadable image size '" + r.stdoutText().strip() + "'");
        }
    }

    /** The line of the build output that says what failed, short enough for a failure message. */
    static String reason(String log, int exitCode) {
        Matcher m = FAILED_STEP.matcher(log);
        String found = null;
        while (m.find()) {
            found = m.group().strip();
        }
        if (found == null) {
            List<String> lines = log.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
            found = lines.isEmpty() ? "docker build exited with code " + exitCode : lines.get(lines.size() - 1);
        }
        return found.length() > 500 ? found.substring(0, 500) + "..." : found;
    }

    @Override
    public void remove(JobId id) {
        docker.quickUninterruptibly("image", "rm", "-f", DockerCli.imageTag(id.value()));
    }
}
