package io.perfbox.adapter.docker;

import io.perfbox.adapter.process.ProcessRunner;
import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.RunReceipt;
import io.perfbox.core.port.ImageBuilder;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import io.perfbox.core.port.LogSink;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A build with the Dockerfile as the whole build context (as {@code docker build -}): COPY or ADD of local files
 * fails, nothing of the host is sent. The image is tagged and labelled for its job. With BuildKit ({@link
 * #withBuildKit}) the engine keeps each step in its build cache for later builds of the same tenant; the classic
 * builder keeps nothing beyond the job's image. Either way every build is in its tenant's {@link BuildCacheScope}.
 */
public class DockerImageBuilder implements ImageBuilder {
    private static final int MAX_LOG_BYTES = 1024 * 1024;
    private static final Pattern FAILED_STEP = Pattern.compile(
            "(?m)^(?:The command '.*' returned a non-zero code: \\d+|.*(?:COPY|ADD) failed:.*|ERROR: .*|error: .*|executor failed running .*|"
                    + "Error response from daemon: .*|.*did not complete successfully.*|failed to .*)$");

    private static final Pattern FORK_FAILED = Pattern.compile("Cannot fork|fork: (?:retry: )?Resource temporarily unavailable");
    /** BuildKit's line for a RUN step ended by SIGKILL (128 + 9), which is what the kernel's OOM killer sends. */
    private static final Pattern STEP_KILLED = Pattern.compile("executor failed running \\[.*\\]: exit code: 137\\s*$",
            Pattern.MULTILINE);

    private static final Pattern COMMITTED_STEP = Pattern.compile(
            "(?m)^Removing intermediate container [0-9a-f]+\\s*\\R ---> ([0-9a-f]{12,64})\\s*$");

    private final DockerEngine engine;
    private final String storeId;
    private final long maxImageBytes;
    /** The Docker network classic builds run on; null: the engine's default bridge. */
    private final String network;
    /** Null: the classic builder. */
    private final BuildKitCli buildKit;
    /** Bounds the engine's build cache after BuildKit builds; null: never pruned by perfbox. */
    private final BuildCachePruner pruner;
    private final byte[] cacheSecret;
    /** Limits of the classic builder's RUN steps; null: none. */
    private final BuildLimits limits;
    private final BaseImagePolicy basePolicy;
    /** BuildKit's steps held by the limits; null without limits or BuildKit. */
    private final BuildKitStepLimits stepLimits;

    /**
     * Limits of a build's RUN steps, all together: memory (no swap), CPUs and processes; with a {@code cpuPool}, the
     * steps run only on the CPUs no job's run holds ({@link CpuPool#unheld}), so a build never slows a run (null:
     * any CPU).
     */
    public record BuildLimits(long memoryBytes, double cpus, int pids, CpuPool cpuPool) {
        public BuildLimits {
            if (memoryBytes < 6 * 1024 * 1024 || !(cpus > 0) || pids < 1) {
                throw new IllegalArgumentException("build limits: at least 6 MiB of memory, some CPU and one process");
            }
        }

        public BuildLimits(long memoryBytes, double cpus, int pids) {
            this(memoryBytes, cpus, pids, null);
        }

        /** These limits, the steps kept off the CPUs that runs of {@code pool} hold. */
        public BuildLimits offCpusHeldIn(CpuPool pool) {
            return new BuildLimits(memoryBytes, cpus, pids, pool);
        }
    }

    /** maxImageBytes: a built image larger than this is removed at once and reported {@link ImageTooLarge}. */
    public DockerImageBuilder(DockerEngine engine, String storeId, long maxImageBytes) {
        this(engine, storeId, maxImageBytes, null);
    }

    /** Builds on {@code network} (see {@link DockerBuildNetwork}); null: the engine's default bridge. */
    public DockerImageBuilder(DockerEngine engine, String storeId, long maxImageBytes, String network) {
        this(engine, storeId, maxImageBytes, network, null, null, randomSecret(), null, BaseImagePolicy.engineImages());
    }

    private DockerImageBuilder(DockerEngine engine, String storeId, long maxImageBytes, String network,
            BuildKitCli buildKit, BuildCachePruner pruner, byte[] cacheSecret, BuildLimits limits,
            BaseImagePolicy basePolicy) {
        if (maxImageBytes <= 0) {
            throw new IllegalArgumentException("the image size limit must be positive");
        }
        this.engine = engine;
        this.storeId = storeId;
        this.maxImageBytes = maxImageBytes;
        this.network = network;
        this.buildKit = buildKit;
        this.pruner = pruner;
        this.cacheSecret = cacheSecret.clone();
        this.limits = limits;
        this.basePolicy = basePolicy;
        this.stepLimits = buildKit != null && limits != null ? new BuildKitStepLimits(limits) : null;
    }

    /**
     * This builder with its RUN steps bounded by {@code limits}: the classic builder puts each build's step
     * containers under a cgroup of the build's own that holds them ({@link BuildCgroup}); BuildKit, which on Docker
     * 20.10 ignores {@code --cgroup-parent}, gets the limits written onto each step's own cgroup as it appears
     * ({@link BuildKitStepLimits}). A build that fails having reached one ends {@link BuildFailed} naming it.
     */
    public DockerImageBuilder withLimits(BuildLimits limits) {
        if (!BuildCgroup.available()) {
            throw new IllegalStateException("build limits need the cgroup v1 controllers memory, pids and cpu, writable"
                    + " under " + BuildCgroup.ROOT + " (run as root)");
        }
        return new DockerImageBuilder(engine, storeId, maxImageBytes, network, buildKit, pruner, cacheSecret, limits, basePolicy);
    }

    /**
     * This builder building with BuildKit through {@code cli} (on the engine's default bridge, which BuildKit on
     * Docker 20.10 always uses: see {@link DockerBuildNetwork#confineDefaultBridge}); {@code pruner} (may be null)
     * bounds the cache after each build.
     */
    public DockerImageBuilder withBuildKit(BuildKitCli cli, BuildCachePruner pruner) {
        return new DockerImageBuilder(engine, storeId, maxImageBytes, null, cli, pruner, cacheSecret, limits, basePolicy);
    }

    /**
     * This builder with the store's own cache secret, so that a tenant's scope, and so its cached steps, outlive a
     * restart (a builder made without one has a random secret: a cache of its own lifetime).
     */
    public DockerImageBuilder withCacheSecret(byte[] secret) {
        if (secret.length < 16) {
            throw new IllegalArgumentException("the cache secret needs at least 16 bytes");
        }
        return new DockerImageBuilder(engine, storeId, maxImageBytes, network, buildKit, pruner, secret, limits, basePolicy);
    }

    /** This classic builder with its RUN steps on {@code network} (see {@link DockerBuildNetwork#open}). */
    public DockerImageBuilder onNetwork(String network) {
        if (buildKit != null) {
            throw new IllegalStateException("BuildKit on this engine builds on the default bridge only");
        }
        return new DockerImageBuilder(engine, storeId, maxImageBytes, network, null, pruner, cacheSecret, limits, basePolicy);
    }

    /** This builder starting builds only from what {@code policy} allows (default: the engine's own images). */
    public DockerImageBuilder withBaseImages(BaseImagePolicy policy) {
        return new DockerImageBuilder(engine, storeId, maxImageBytes, network, buildKit, pruner, cacheSecret, limits, policy);
    }

    /**
     * The tag of a job's image: keyed by this store's secret, so no tenant can guess another job's image from its id
     * (and build from it, were the base-image check ever passed).
     */
    public String imageTag(JobId id) {
        return DockerNames.imageTag(BuildCacheScope.keyed(cacheSecret, "image-tag\0" + id.value()));
    }

    /** Whether RUN steps run on the engine's default bridge (BuildKit), which then is the one to confine. */
    public boolean runsOnDefaultBridge() {
        return buildKit != null;
    }

    /** "BuildKit (through CLI)" or "the classic builder": for the start-up log. */
    public String describe() {
        return buildKit == null ? "the classic builder" + (network == null ? "" : " on network " + network)
                : "BuildKit through " + buildKit.executable();
    }

    private static byte[] randomSecret() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return b;
    }

    /** Through the docker CLI. */
    public DockerImageBuilder(DockerCli docker, String storeId, long maxImageBytes) {
        this(new DockerCliEngine(docker), storeId, maxImageBytes);
    }

    @Override
    public BuildOutcome build(JobId id, String tenant, Dockerfile dockerfile, Duration timeout, LogSink output)
            throws InterruptedException {
        String tag = imageTag(id);
        // Read once, as the engine reads it: for what the build may fetch, then for its cache scope.
        DockerfileSyntax.Parsed parsed;
        Optional<String> refused;
        try {
            parsed = DockerfileSyntax.parse(dockerfile.text());
            refused = basePolicy.check(parsed, engine::imageLabels);
        } catch (DockerfileSyntax.Refused e) {
            return new InvalidDockerfile(e.getMessage(), CapturedLog.EMPTY);
        }
        if (refused.isPresent()) {
            return new InvalidDockerfile(refused.get(), CapturedLog.EMPTY);
        }
        BuildCacheScope.Scoped scoped;
        try {
            scoped = BuildCacheScope.of(cacheSecret, tenant).apply(dockerfile.text(), parsed);
        } catch (BuildCacheScope.Unscopable e) {
            return new InvalidDockerfile(e.getMessage(), CapturedLog.EMPTY);
        }
        DockerEngine.BuildRun r;
        Optional<String> limitReached = Optional.empty();
        BuildCgroup cgroup = buildKit == null && limits != null ? BuildCgroup.create(id.value(), limits) : null;
        BuildKitStepLimits.Build held = stepLimits == null ? null : stepLimits.begin();
        try {
            r = buildKit != null ? buildWithBuildKit(tag, id, scoped.text(), timeout, output)
                    : buildClassic(tag, id, scoped.text(), timeout, output, cgroup == null ? null : cgroup.parent());
            if (cgroup != null && !r.succeeded()) {
                limitReached = cgroup.reached();
            }
            if (held != null && !r.succeeded()) {
                limitReached = held.reached();
                if (limitReached.isEmpty() && FORK_FAILED.matcher(r.log().text()).find()) {
                    // A step that hit its process limit and ended at once may take its cgroup (and so the kernel's
                    // count) with it before the watcher's next look: the shell's own complaint tells it then.
                    limitReached = Optional.of(BuildCgroup.pidsWords(limits) + ", as it seems (a process could not be started)");
                } else if (limitReached.isEmpty() && STEP_KILLED.matcher(r.log().text()).find()) {
                    // Likewise a step the OOM killer ended within the watcher's poll: its cgroup, and the peak it
                    // kept, may be gone. SIGKILL is what the kernel sends at the memory limit.
                    limitReached = Optional.of(BuildCgroup.memoryWords(limits)
                            + ", as it seems (a step was killed with SIGKILL, exit code 137)");
                }
            }
        } catch (ProcessRunner.StartFailedException e) {
            return new BuildFailed("docker could not be started: " + e.getMessage(), CapturedLog.EMPTY);
        } finally {
            if (held != null) {
                held.close();
            }
            if (cgroup != null) {
                cgroup.close();
            }
            if (pruner != null) {
                pruner.requested();
            }
        }
        CapturedLog log = r.log();
        if (!r.succeeded() && buildKit == null) {
            // The steps it committed before it failed are untagged and unlabelled (the labels come last): nothing
            // else would find them. A step another build shares is kept (it has a child, or it is a cache hit).
            removeStepsCommittedBy(log.text());
        }
        if (r.timedOut()) {
            return new BuildTimedOut(timeout, log);
        }
        if (!r.succeeded()) {
            // The instruction that failed, from the Dockerfile's own lines; else the builder's own words.
            Optional<BuildFailureReport.Located> at = buildKit != null
                    ? BuildFailureReport.fromBuildKit(log.text(), parsed)
                    : BuildFailureReport.fromClassic(log.text(), parsed, scoped);
            String reason = at.map(BuildFailureReport.Located::reason)
                    .orElseGet(() -> scoped.customerLines(reason(log.text(), r.exitCode())));
            ImageBuilder.FailedStep step = at.map(BuildFailureReport.Located::step).orElse(null);
            if (limitReached.isPresent()) {
                return new BuildFailed("a RUN step reached " + limitReached.get() + ": " + reason, log, step);
            }
            return at.isEmpty() && reason.contains("dockerfile parse error") ? new InvalidDockerfile(reason, log)
                    : new BuildFailed(reason, log, step);
        }
        long size = engine.imageSize(tag);
        if (size > maxImageBytes) {
            // Removed now, not at clean-up: it must not sit on the engine's disk while the job is being recorded.
            remove(id);
            return new ImageTooLarge(size, maxImageBytes, log);
        }
        return new Built(tag, log, engine.imageId(tag).orElse(null), baseImages(parsed));
    }

    /**
     * The receipt's base images: each FROM image with the id the engine holds under its name, which is what the
     * build started from (nothing is pulled: builds start only from images in this engine).
     */
    private List<RunReceipt.BaseImage> baseImages(DockerfileSyntax.Parsed parsed)
            throws InterruptedException {
        List<RunReceipt.BaseImage> bases = new ArrayList<>();
        for (String name : BaseImagePolicy.baseImages(parsed)) {
            bases.add(new RunReceipt.BaseImage(name, engine.imageId(name).orElse(null)));
        }
        return bases;
    }

    private DockerEngine.BuildRun buildWithBuildKit(String tag, JobId id, String text, Duration timeout, LogSink output)
            throws InterruptedException {
        // BuildKit adds labels to the image's config without a step of their own.
        return buildKit.build(tag, text.getBytes(StandardCharsets.UTF_8),
                Map.of(DockerNames.STORE_LABEL, storeId, DockerNames.JOB_LABEL, id.value()), Map.of(), timeout, MAX_LOG_BYTES,
                output);
    }

    private DockerEngine.BuildRun buildClassic(String tag, JobId id, String text, Duration timeout, LogSink output,
            String cgroupParent) throws InterruptedException {
        String labelled = withLabels(text, id);
        Map<String, String> labelFlags = labelled.equals(text)
                ? Map.of(DockerNames.STORE_LABEL, storeId, DockerNames.JOB_LABEL, id.value()) : Map.of();
        return engine.build(tag, labelled.getBytes(StandardCharsets.UTF_8), labelFlags, network, cgroupParent, timeout, MAX_LOG_BYTES,
                output);
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

    private void removeStepsCommittedBy(String log) {
        List<String> ids = stepsCommittedBy(log);
        for (int i = ids.size() - 1; i >= 0; i--) {
            engine.removeImageIfUnused(ids.get(i));
        }
    }

    /**
     * The images the classic builder committed for this build's own steps, in order: each is the {@code ---> id} line
     * right after the step's container was removed (a cache hit or the base image has no such line before it).
     */
    static List<String> stepsCommittedBy(String log) {
        List<String> ids = new ArrayList<>();
        Matcher m = COMMITTED_STEP.matcher(log);
        while (m.find()) {
            ids.add(m.group(1));
        }
        return ids;
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
        engine.removeImage(imageTag(id));
    }
}
