package io.perfbox.adapter.docker;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.perfbox.adapter.process.ProcessRunner;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import io.perfbox.core.port.LogSink;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@link DockerEngine} through the docker CLI: one process per call. */
public final class DockerCliEngine implements DockerEngine {
    private final DockerCli docker;

    public DockerCliEngine(DockerCli docker) {
        this.docker = docker;
    }

    /** Throws {@link ProcessRunner.StartFailedException} when the CLI cannot be started. */
    @Override
    public BuildRun build(String tag, byte[] dockerfile, Map<String, String> labels, String network, String cgroupParent, Duration timeout,
            int maxLogBytes, LogSink output) throws InterruptedException {
        List<String> args = new ArrayList<>(List.of("build", "--tag", tag));
        if (network != null) {
            args.addAll(List.of("--network", network));
        }
        if (cgroupParent != null) {
            args.addAll(List.of("--cgroup-parent", cgroupParent));
        }
        for (Map.Entry<String, String> label : labels.entrySet()) {
            args.addAll(List.of("--label", label.getKey() + "=" + label.getValue()));
        }
        args.addAll(List.of("--rm", "--force-rm", "-"));
        ProcessRunner.Result r = docker.command(args.toArray(String[]::new))
                // The classic builder: it needs no buildx plugin either.
                .env("DOCKER_BUILDKIT", "0")
                .stdin(dockerfile)
                .timeout(timeout)
                .mergeStderr()
                .teeStdout(output)
                .maxStdoutBytes(maxLogBytes)
                .run();
        return new BuildRun(r.succeeded(), r.timedOut(), r.exitCode(), r.stdoutLog());
    }

    @Override
    public Optional<String> createAndStart(String name, ContainerSpec spec, Duration timeout) throws InterruptedException {
        List<String> args = new ArrayList<>(List.of("run", "--detach", "--name", name));
        for (Map.Entry<String, String> label : spec.labels().entrySet()) {
            args.addAll(List.of("--label", label.getKey() + "=" + label.getValue()));
        }
        spec.runtime().ifPresent(runtime -> args.addAll(List.of("--runtime", runtime)));
        if (spec.storageSizeBytes() > 0) {
            args.addAll(List.of("--storage-opt", "size=" + spec.storageSizeBytes()));
        }
        spec.cpuset().ifPresent(cpus -> args.addAll(List.of("--cpuset-cpus", cpus)));
        args.addAll(List.of(
                "--network", "none",
                "--cap-drop", "ALL",
                "--security-opt", "no-new-privileges",
                "--pids-limit", Integer.toString(spec.limits().pids()),
                "--memory", Long.toString(spec.limits().memoryBytes()),
                "--memory-swap", Long.toString(spec.limits().memoryBytes()),
                "--cpus", String.format(Locale.ROOT, "%.3f", spec.limits().cpus()),
                "--log-driver", "json-file",
                "--log-opt", "max-size=" + DockerApiEngine.LOG_MAX_SIZE, "--log-opt", "max-file=" + DockerApiEngine.LOG_MAX_FILES,
                "--mount", "type=bind,source=" + spec.dataDirectory() + ",target=/data",
                spec.image()));
        ProcessRunner.Result started = docker.command(args.toArray(String[]::new)).timeout(timeout).run();
        if (started.succeeded()) {
            return Optional.empty();
        }
        return Optional.of(started.timedOut() ? "docker run did not answer within " + timeout.toMinutes() + " minutes"
                : DockerCli.firstLine(started.errorText()));
    }

    @Override
    public CapturedLog followLogs(String name, int maxBytes, Duration max, LogSink output) throws InterruptedException {
        return docker.command("logs", "--follow", name).mergeStderr().teeStdout(output).maxStdoutBytes(maxBytes)
                .timeout(max).run().stdoutLog();
    }

    @Override
    public CapturedLog logs(String name, int maxBytes) {
        boolean interrupted = Thread.interrupted();
        try {
            return docker.command("logs", name).mergeStderr().maxStdoutBytes(maxBytes)
                    .timeout(Duration.ofSeconds(60)).run().stdoutLog();
        } catch (InterruptedException | ProcessRunner.StartFailedException e) {
            return CapturedLog.EMPTY;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean await(String name, Duration timeout) throws InterruptedException {
        return !docker.command("wait", name).timeout(timeout).run().timedOut();
    }

    @Override
    public Optional<ExitState> inspect(String name) throws InterruptedException {
        ProcessRunner.Result state = docker.quick("inspect", "--format", "{{.State.ExitCode}} {{.State.OOMKilled}}", name);
        if (!state.succeeded()) {
            return Optional.empty();
        }
        String[] parts = state.stdoutText().strip().split(" ");
        return Optional.of(new ExitState(Integer.parseInt(parts[0]), parts.length > 1 && Boolean.parseBoolean(parts[1])));
    }

    @Override
    public OptionalLong writableLayerBytes(String name) throws InterruptedException {
        ProcessRunner.Result r = docker.quick("container", "inspect", "--size", "--format", "{{.SizeRw}}", name);
        if (!r.succeeded()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(r.stdoutText().strip()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    @Override
    public void kill(String name) {
        docker.quickUninterruptibly("kill", name);
    }

    @Override
    public void removeImageIfUnused(String id) {
        docker.quickUninterruptibly("image", "rm", id);
    }

    @Override
    public void removeContainer(String name) {
        docker.quickUninterruptibly("rm", "-f", name);
    }

    @Override
    public void removeImage(String ref) {
        docker.quickUninterruptibly("image", "rm", "-f", ref);
    }

    @Override
    public List<String> containersLabelled(String label, String value) {
        return ids("ps", "-a", "-q", "--no-trunc", "--filter", "label=" + label + "=" + value);
    }

    @Override
    public List<String> imagesLabelled(String label, String value) {
        return ids("images", "-q", "--no-trunc", "--filter", "label=" + label + "=" + value);
    }

    private List<String> ids(String... args) {
        ProcessRunner.Result r = docker.quickUninterruptibly(args);
        if (r == null || !r.succeeded()) {
            return List.of();
        }
        return r.stdoutText().lines().map(String::strip).filter(s -> !s.isEmpty()).distinct().toList();
    }

    @Override
    public Optional<Map<String, String>> imageLabels(String ref) throws InterruptedException {
        ProcessRunner.Result r = docker.command("image", "inspect", "--format", "{{json .Config.Labels}}", ref)
                .timeout(Duration.ofMinutes(1)).maxStdoutBytes(1024 * 1024).run();
        if (!r.succeeded()) {
            return Optional.empty();
        }
        try {
            Map<String, String> labels = new LinkedHashMap<>();
            new ObjectMapper().readTree(r.stdoutText().strip()).properties()
                    .forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
            return Optional.of(labels);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<String> imageId(String ref) throws InterruptedException {
        ProcessRunner.Result r = docker.quick("image", "inspect", "--format", "{{.Id}}", ref);
        String id = r.succeeded() ? r.stdoutText().strip() : "";
        return id.isEmpty() ? Optional.empty() : Optional.of(id);
    }

    @Override
    public Optional<RunConfig> runConfig(String name) throws InterruptedException {
        ProcessRunner.Result c = docker.quick("container", "inspect", "--format",
                "{{.HostConfig.Runtime}}|{{.HostConfig.CpusetCpus}}", name);
        ProcessRunner.Result info = docker.quick("info", "--format", "{{.DefaultRuntime}}|{{.KernelVersion}}");
        String[] host = c.succeeded() ? (c.stdoutText().strip() + "|").split("\\|", -1) : new String[] {"", ""};
        String[] engine = info.succeeded() ? (info.stdoutText().strip() + "|").split("\\|", -1) : new String[] {"", ""};
        return Optional.of(new RunConfig(blankToNull(host[0]), blankToNull(host[1]), blankToNull(engine[0]),
                blankToNull(engine[1])));
    }

    @Override
    public Optional<String> storageDriver() throws InterruptedException {
        ProcessRunner.Result r = docker.quick("info", "--format", "{{.Driver}}");
        return r.succeeded() ? Optional.ofNullable(blankToNull(r.stdoutText())) : Optional.empty();
    }

    @Override
    public StorageProbe probeStorageSize(String image, Map<String, String> labels, long sizeBytes) throws InterruptedException {
        List<String> args = new ArrayList<>(List.of("create", "--network", "none", "--storage-opt", "size=" + sizeBytes));
        for (Map.Entry<String, String> label : labels.entrySet()) {
            args.addAll(List.of("--label", label.getKey() + "=" + label.getValue()));
        }
        // Never started: a command is named only so that an image without one is created too.
        args.addAll(List.of(image, "true"));
        ProcessRunner.Result r = docker.quick(args.toArray(String[]::new));
        if (r.succeeded()) {
            String id = r.stdoutText().strip();
            if (!id.isEmpty()) {
                docker.quickUninterruptibly("rm", "-f", id);
            }
            return new StorageProbe(true, Optional.empty());
        }
        String why = DockerCli.firstLine(r.errorText());
        // The image gone or the engine unreachable says nothing about the engine's storage.
        boolean answered = !r.timedOut() && !why.contains("No such image") && !why.contains("Cannot connect to the Docker daemon");
        return new StorageProbe(answered, answered ? Optional.of(why) : Optional.empty());
    }

    @Override
    public boolean ping() throws InterruptedException {
        try {
            return docker.command("version", "--format", "{{.Server.Version}}").timeout(Duration.ofSeconds(5)).run()
                    .succeeded();
        } catch (ProcessRunner.StartFailedException e) {
            return false;
        }
    }

    /** {@code docker system df}'s Build Cache line: the CLI prints it rounded (e.g. 1.23GB), so it is that exact. */
    @Override
    public OptionalLong buildCacheBytes() throws InterruptedException {
        ProcessRunner.Result r;
        try {
            r = docker.quick("system", "df", "--format", "{{.Type}}\t{{.Size}}");
        } catch (ProcessRunner.StartFailedException e) {
            return OptionalLong.empty();
        }
        if (!r.succeeded()) {
            return OptionalLong.empty();
        }
        for (String line : r.stdoutText().split("\n")) {
            String[] parts = line.split("\t");
            if (parts.length == 2 && parts[0].strip().equalsIgnoreCase("Build Cache")) {
                return humanBytes(parts[1].strip());
            }
        }
        return OptionalLong.empty();
    }

    /** A size as the docker CLI prints it (decimal units: 0B, 12.3kB, 1.5MB, 2GB, 1TB); empty for anything else. */
    static OptionalLong humanBytes(String s) {
        Matcher m = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kKMGTP]?)B").matcher(s);
        if (!m.matches()) {
            return OptionalLong.empty();
        }
        String unit = m.group(2).toLowerCase(Locale.ROOT);
        int power = unit.isEmpty() ? 0 : "kmgtp".indexOf(unit) + 1;
        return OptionalLong.of(Math.round(Double.parseDouble(m.group(1)) * Math.pow(1000, power)));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    @Override
    public long imageSize(String ref) throws InterruptedException {
        ProcessRunner.Result r = docker.command("image", "inspect", "--format", "{{.Size}}", ref)
                .timeout(Duration.ofMinutes(1)).maxStdoutBytes(1024).run();
        if (!r.succeeded()) {
            throw new IllegalStateException("docker could not tell the size of the image " + ref + ": " + r.errorText());
        }
        try {
            return Long.parseLong(r.stdoutText().strip());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("docker reported an unreadable image size '" + r.stdoutText().strip() + "'");
        }
    }

    @Override
    public String describe() {
        return "the " + docker.executable() + " CLI";
    }
}
