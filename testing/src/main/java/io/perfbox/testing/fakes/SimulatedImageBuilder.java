package io.perfbox.testing.fakes;

import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.ImageBuilder;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import io.perfbox.core.port.LogSink;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An ImageBuilder in memory that builds what a Dockerfile says, as far as the contracts' Dockerfiles go: its
 * {@code RUN} steps run in {@link SimulatedShell} (their output is the build's, a failing one fails the build), its
 * {@code CMD} is what {@link SimulatedContainerRunner} runs, and an instruction it does not know makes the
 * Dockerfile invalid. Holds to ImageBuilderContract.
 */
public class SimulatedImageBuilder implements ImageBuilder {
    private static final Set<String> INSTRUCTIONS = Set.of("FROM", "RUN", "CMD", "ENTRYPOINT", "ENV", "ARG", "LABEL",
            "WORKDIR", "USER", "EXPOSE", "COPY", "ADD", "SHELL", "STOPSIGNAL", "HEALTHCHECK", "VOLUME", "ONBUILD");
    private final Map<String, String> commands = new ConcurrentHashMap<>();

    /** The image's reference for the job. */
    public static String imageRef(JobId id) {
        return "simulated/perfbox-job-" + id.value();
    }

    @Override
    public BuildOutcome build(JobId id, String tenant, Dockerfile dockerfile, Duration timeout, LogSink output)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        StringBuilder log = new StringBuilder();
        LogSink both = (b, off, len) -> {
            log.append(new String(b, off, len, StandardCharsets.UTF_8));
            output.write(b, off, len);
        };
        List<String> lines = dockerfile.text().lines().toList();
        String command = "";
        boolean from = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String instruction = line.split("\\s+", 2)[0].toUpperCase(Locale.ROOT);
            String rest = line.length() > instruction.length() ? line.substring(instruction.length()).strip() : "";
            if (!INSTRUCTIONS.contains(instruction)) {
                return new InvalidDockerfile("dockerfile parse error on line " + (i + 1) + ": unknown instruction: "
                        + instruction, CapturedLog.EMPTY);
            }
            if (!from && !instruction.equals("FROM") && !instruction.equals("ARG")) {
                return new InvalidDockerfile("no FROM before line " + (i + 1), CapturedLog.EMPTY);
            }
            switch (instruction) {
                case "FROM" -> from = true;
                case "CMD" -> command = rest;
                case "RUN" -> {
                    both.write("#" + (i + 1) + " RUN " + rest + "\n");
                    SimulatedShell.Ended ended = SimulatedShell.run(rest, null, both, deadline);
                    if (ended.exitCode().isEmpty()) {
                        return new BuildTimedOut(timeout, new CapturedLog(log.toString(), false));
                    }
                    int code = ended.exitCode().get();
                    if (code != 0) {
                        return new BuildFailed("the command '" + rest + "' returned a non-zero code: " + code,
                                new CapturedLog(log.toString(), false),
                                new FailedStep(i + 1, ended.output().lines().toList()));
                    }
                }
                default -> {
                    // no effect in memory
                }
            }
        }
        if (!from) {
            return new InvalidDockerfile("no FROM instruction", CapturedLog.EMPTY);
        }
        commands.put(imageRef(id), command);
        return new Built(imageRef(id), new CapturedLog(log.toString(), false));
    }

    @Override
    public void remove(JobId id) {
        commands.remove(imageRef(id));
    }

    /** Whether the job's image is there. */
    public boolean exists(JobId id) {
        return commands.containsKey(imageRef(id));
    }

    /** The command an image built here runs; empty for an image this builder does not hold. */
    Optional<String> commandOf(String imageRef) {
        return Optional.ofNullable(commands.get(imageRef));
    }
}
