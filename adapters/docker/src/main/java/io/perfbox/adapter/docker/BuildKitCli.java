package io.perfbox.adapter.docker;

import io.perfbox.adapter.process.ProcessRunner;
import io.perfbox.core.port.LogSink;
import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Builds with the engine's BuildKit through a docker CLI that can drive it. BuildKit's API is a gRPC session, not
 * the engine's plain HTTP build endpoint, so the CLI does the talking: a CLI before 23 builds with BuildKit itself
 * when {@code DOCKER_BUILDKIT=1}; a later one only through its buildx plugin. Killing the CLI (timeout, cancel)
 * ends the session, and the engine cancels the build and its step's process.
 */
public final class BuildKitCli {
    private final DockerCli docker;

    private BuildKitCli(DockerCli docker) {
        this.docker = docker;
    }

    /**
     * The first CLI that can build with BuildKit: the configured one, then every other {@code docker} on the PATH
     * and Debian's {@code /usr/bin/docker}; empty when none can.
     */
    public static Optional<BuildKitCli> find(DockerCli configured) throws InterruptedException {
        Set<String> candidates = new LinkedHashSet<>();
        candidates.add(configured.executable());
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                File f = new File(dir, "docker");
                if (f.canExecute()) {
                    candidates.add(f.getAbsolutePath());
                }
            }
        }
        candidates.add("/usr/bin/docker");
        for (String candidate : candidates) {
            DockerCli cli = new DockerCli(candidate);
            if (canBuildWithBuildKit(cli)) {
                return Optional.of(new BuildKitCli(cli));
            }
        }
        return Optional.empty();
    }

    static boolean canBuildWithBuildKit(DockerCli cli) throws InterruptedException {
        ProcessRunner.Result version;
        try {
            version = cli.quick("version", "--format", "{{.Server.Version}} {{.Client.Version}}");
        } catch (ProcessRunner.StartFailedException e) {
            return false;
        }
        if (!version.succeeded()) {
            return false;
        }
        String[] parts = version.stdoutText().strip().split("\\s+");
        if (parts.length < 2 || major(parts[0]) < 18) {
            return false;
        }
        return major(parts[1]) < 23 || cli.quick("buildx", "version").succeeded();
    }

    private static int major(String version) {
        try {
            return Integer.parseInt(version.replaceFirst("^v", "").split("[.+-]")[0]);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    public String executable() {
        return docker.executable();
    }

    /** Builds {@code dockerfile} as the whole context (stdin), tagged and labelled; the output in plain progress. */
    public DockerEngine.BuildRun build(String tag, byte[] dockerfile, Map<String, String> labels,
            Map<String, String> buildArgs, Duration timeout, int maxLogBytes) throws InterruptedException {
        return build(tag, dockerfile, labels, buildArgs, timeout, maxLogBytes, LogSink.NONE);
    }

    /** As above, the output also written to {@code output} as the CLI prints it. */
    public DockerEngine.BuildRun build(String tag, byte[] dockerfile, Map<String, String> labels,
            Map<String, String> buildArgs, Duration timeout, int maxLogBytes, LogSink output) throws InterruptedException {
        List<String> args = new ArrayList<>(List.of("build", "--progress", "plain", "--tag", tag));
        labels.forEach((k, v) -> args.addAll(List.of("--label", k + "=" + v)));
        buildArgs.forEach((k, v) -> args.addAll(List.of("--build-arg", k + "=" + v)));
        args.add("-");
        ProcessRunner.Result r = docker.command(args.toArray(String[]::new))
                .env("DOCKER_BUILDKIT", "1")
                .stdin(dockerfile)
                .timeout(timeout)
                .mergeStderr()
                .teeStdout(output)
                .maxStdoutBytes(maxLogBytes)
                .run();
        return new DockerEngine.BuildRun(r.succeeded(), r.timedOut(), r.exitCode(), r.stdoutLog());
    }

    /**
     * Prunes the engine's build cache down to {@code keepBytes}, least recently used first; what a build is using
     * stays. The engine's cache is one for all its builds, so this bounds the cache of the operator's own builds too.
     */
    public boolean prune(long keepBytes) throws InterruptedException {
        return docker.command("builder", "prune", "--force", "--keep-storage", Long.toString(keepBytes))
                .env("DOCKER_BUILDKIT", "1").timeout(Duration.ofMinutes(10)).run().succeeded();
    }
}
