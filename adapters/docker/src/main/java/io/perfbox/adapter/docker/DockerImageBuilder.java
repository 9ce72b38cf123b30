package io.perfbox.adapter.docker;

import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.ImageBuilder;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import io.perfbox.adapter.process.ProcessRunner;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A classic-builder build with the Dockerfile as the whole build context (as {@code docker build -}): COPY or ADD
 * of local files fails, nothing of the host is sent. The image is tagged and labelled for its job.
 */
public class DockerImageBuilder implements ImageBuilder {
    private static final int MAX_LOG_BYTES = 1024 * 1024;
    private static final Pattern FAILED_STEP = Pattern.compile(
            "(?m)^(?:The command '.*' returned a non-zero code: \\d+|.*(?:COPY|ADD) failed:.*|ERROR: .*|error: .*|"
                    + "Error response from daemon: .*|.*did not complete successfully.*|failed to .*)$");

    private final DockerEngine engine;
    private final String storeId;
    private final long maxImageBytes;

    /** maxImageBytes: a built image larger than this is removed at once and reported {@link ImageTooLarge}. */
    public DockerImageBuilder(DockerEngine engine, String storeId, long maxImageBytes) {
        if (maxImageBytes <= 0) {
            throw new IllegalArgumentException("the image size limit must be positive");
        }
        this.engine = engine;
        this.storeId = storeId;
        this.maxImageBytes = maxImageBytes;
    }

    /** Through the docker CLI. */
    public DockerImageBuilder(DockerCli docker, String storeId, long maxImageBytes) {
        this(new DockerCliEngine(docker), storeId, maxImageBytes);
    }

    @Override
    public BuildOutcome build(JobId id, Dockerfile dockerfile, Duration timeout) throws InterruptedException {
        String tag = DockerNames.imageTag(id.value());
        String text = dockerfile.text();
        String labelled = withLabels(text, id);
        Map<String, String> labelFlags = labelled.equals(text)
                ? Map.of(DockerNames.STORE_LABEL, storeId, DockerNames.JOB_LABEL, id.value()) : Map.of();
        DockerEngine.BuildRun r;
        try {
            r = engine.build(tag, labelled.getBytes(StandardCharsets.UTF_8), labelFlags, timeout, MAX_LOG_BYTES);
        } catch (ProcessRunner.StartFailedException e) {
            return new BuildFailed("docker could not be started: " + e.getMessage(), CapturedLog.EMPTY);
        }
        CapturedLog log = r.log();
        if (r.timedOut()) {
            return new BuildTimedOut(timeout, log);
        }
        if (!r.succeeded()) {
            String reason = reason(log.text(), r.exitCode());
            return reason.contains("dockerfile parse error") ? new InvalidDockerfile(reason, log) : new BuildFailed(reason, log);
        }
        long size = engine.imageSize(tag);
        if (size > maxImageBytes) {
            // Removed now, not at clean-up: it must not sit on the engine's disk while the job is being recorded.
            remove(id);
            return new ImageTooLarge(size, maxImageBytes, log);
        }
        return new Built(tag, log);
    }

    /**
     * The Dockerfile with one last instruction labelling the image for its job and store. The classic builder turns
     * every {@code --label} into an instruction of its own, and each one commits a layer through a container of its
     * own (a quarter of a second apiece): one instruction for both labels halves that. It labels the last stage, as
     * {@code --label} does. Unchanged (so the caller falls back to {@code --label}) when the text ends inside a line
     * continuation, where an appended line would join the user's last instruction.
     */
    String withLabels(String text, JobId id) {
        // Lines as Docker's parser reads them: only LF ends a line; blank and comment lines never end a continuation.
        String last = Arrays.stream(text.split("\n", -1)).map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).reduce((a, b) -> b).orElse("");
        // Either escape character Docker accepts (the default, or the one an escape directive chose).
        if (last.endsWith("\\") || last.endsWith("`")) {
            return text;
        }
        return text + (text.endsWith("\n") ? "" : "\n")
                + "LABEL \"" + DockerNames.JOB_LABEL + "\"=\"" + id.value() + "\" \"" + DockerNames.STORE_LABEL + "\"=\"" + storeId + "\"\n";
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
        engine.removeImage(DockerNames.imageTag(id.value()));
    }
}
