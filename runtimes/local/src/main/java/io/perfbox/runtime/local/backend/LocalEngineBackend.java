package io.perfbox.runtime.local.backend;

import io.perfbox.adapter.docker.BaseImagePolicy;
import io.perfbox.adapter.docker.BuildCachePruner;
import io.perfbox.adapter.docker.BuildKitCli;
import io.perfbox.adapter.docker.CpuPool;
import io.perfbox.adapter.docker.DockerApiEngine;
import io.perfbox.adapter.docker.DockerBuildNetwork;
import io.perfbox.adapter.docker.DockerCli;
import io.perfbox.adapter.docker.DockerCliEngine;
import io.perfbox.adapter.docker.DockerContainerRunner;
import io.perfbox.adapter.docker.DockerEngine;
import io.perfbox.adapter.docker.DockerImageBuilder;
import io.perfbox.adapter.docker.DockerJanitor;
import io.perfbox.adapter.fs.HostJobWorkspace;
import io.perfbox.adapter.trivy.TrivyScanner;
import io.perfbox.adapter.trivy.TrivySettings;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.ContainerRunner;
import io.perfbox.core.port.ImageBuilder;
import io.perfbox.core.port.JobWorkspace;
import io.perfbox.runtime.local.LocalConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.logging.Logger;

/**
 * The local Docker engine as the runner backend: builds with the engine's BuildKit or classic builder (confined on a
 * build network), runs with {@link DockerContainerRunner}, each job's /data a {@link HostJobWorkspace}. The only
 * class of the local runtime that names the Docker adapter's classes (an ArchUnit rule holds it).
 */
public final class LocalEngineBackend implements RunnerBackend {
    private static final Logger LOG = Logger.getLogger(LocalEngineBackend.class.getName());

    private final DockerCli docker;
    private final DockerEngine engine;
    private final Optional<CpuPool> cpus;
    private final DockerImageBuilder builder;
    private final DockerBuildNetwork buildNetwork;
    private final DockerContainerRunner runner;
    private final HostJobWorkspace workspace;
    private final int leftoverWorkspaces;
    private final DockerJanitor janitor;

    private LocalEngineBackend(DockerCli docker, DockerEngine engine, Optional<CpuPool> cpus,
            DockerImageBuilder builder, DockerBuildNetwork buildNetwork, DockerContainerRunner runner,
            HostJobWorkspace workspace, int leftoverWorkspaces, String storeId) {
        this.docker = docker;
        this.engine = engine;
        this.cpus = cpus;
        this.builder = builder;
        this.buildNetwork = buildNetwork;
        this.runner = runner;
        this.workspace = workspace;
        this.leftoverWorkspaces = leftoverWorkspaces;
        this.janitor = new DockerJanitor(engine, storeId);
    }

    /** Fails at once when the engine does not answer, or does not know {@code --runtime}. */
    static LocalEngineBackend open(LocalConfig config, Path dataDir, String storeId) throws IOException {
        DockerCli docker = new DockerCli(config.dockerExecutable());
        docker.requireEngine();
        if (config.runtime().isPresent()) {
            try {
                docker.requireRuntime(config.runtime().get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while asking the engine for its runtimes", e);
            }
        }
        var workspace = new HostJobWorkspace(dataDir.resolve("workspaces"), config.pipeline().runLimits().dataBytes());
        // Each job's /data is a loop-mounted file system of its own (README, Disk): refuse to start where it cannot be.
        int leftoverWorkspaces = workspace.removeLeftovers();
        workspace.requireMountable();
        // The one Docker engine abstraction, chosen once: in process over the engine's socket when the CLI reaches
        // it through one, else through the CLI. Builds, runs, clean-ups and the janitor all go through it.
        DockerEngine engine = DockerApiEngine.reachableThrough(docker).<DockerEngine>map(e -> e)
                .orElseGet(() -> new DockerCliEngine(docker));
        LOG.info("Docker builds, runs and clean-ups go through " + engine.describe());
        // Each run on CPUs of its own; builds and scans on the ones no run holds (README, CPUs).
        Optional<CpuPool> cpus = CpuPool.ofHost();
        DockerImageBuilder builder;
        DockerBuildNetwork buildNetwork;
        try {
            builder = imageBuilder(config, docker, engine, storeId, dataDir, cpus);
            buildNetwork = confineBuilds(config.builds(), docker, storeId, builder.runsOnDefaultBridge());
            if (buildNetwork != null && !builder.runsOnDefaultBridge()) {
                builder = builder.onNetwork(buildNetwork.name());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while setting up builds", e);
        }
        LOG.info("builds use " + builder.describe());
        var runner = new DockerContainerRunner(engine, storeId, workspace::directoryOf, workspace::full, config.runtime(),
                cpus);
        return new LocalEngineBackend(docker, engine, cpus, builder, buildNetwork, runner, workspace,
                leftoverWorkspaces, storeId);
    }

    @Override
    public ImageBuilder builder() {
        return builder;
    }

    @Override
    public ContainerRunner runner() {
        return runner;
    }

    @Override
    public JobWorkspace workspace() {
        return workspace;
    }

    @Override
    public TrivyScanner scanner(TrivySettings settings) {
        return new TrivyScanner(settings, docker, () -> cpus.map(CpuPool::unheld));
    }

    @Override
    public String removeLeftovers() {
        return janitor.removeAll() + " and " + leftoverWorkspaces + " workspace(s)";
    }

    @Override
    public int removeJob(JobId id) {
        return janitor.removeJob(id.value()).images();
    }

    @Override
    public String removeAll() {
        return janitor.removeAll().toString();
    }

    @Override
    public String describe() {
        return engine.describe();
    }

    @Override
    public boolean ping() throws InterruptedException {
        return engine.ping();
    }

    @Override
    public OptionalLong buildCacheBytes() throws InterruptedException {
        return engine.buildCacheBytes();
    }

    @Override
    public String cpuLine(int workers, double cpuLimit) {
        return cpuLine(cpus, workers, cpuLimit);
    }

    @Override
    public void close() {
        if (buildNetwork != null) {
            buildNetwork.close();
        }
    }

    /** What the start-up message says of CPUs: whose they are, and what is shared where there are too few. */
    static String cpuLine(Optional<CpuPool> cpus, int workers, double cpuLimit) {
        if (cpus.isEmpty()) {
            return "CPUs: this host does not say which CPUs containers may use: runs share CPUs with builds, scans and"
                    + " each other";
        }
        CpuPool pool = cpus.get();
        return pool.shortfall(workers, cpuLimit).map(s -> "CPUs: " + s)
                .orElse("CPUs: each run holds " + CpuPool.cpusFor(cpuLimit) + " of CPUs " + pool.cpus()
                        + " of its own; builds and scans use the ones no run holds; perfbox itself and the Docker"
                        + " engine are not confined, and memory bandwidth and caches are shared");
    }

    /** BuildKit where the configuration allows it and a docker CLI can drive it, else the classic builder. */
    private static DockerImageBuilder imageBuilder(LocalConfig config, DockerCli docker, DockerEngine engine,
            String storeId, Path dataDir, Optional<CpuPool> cpus) throws IOException, InterruptedException {
        LocalConfig.Builds b = config.builds();
        var limits = new DockerImageBuilder.BuildLimits(b.memoryBytes(), b.cpus(), b.pids());
        DockerImageBuilder classic = new DockerImageBuilder(engine, storeId, config.maxImageBytes())
                .withCacheSecret(secret(dataDir.resolve("build-cache.key")))
                .withBaseImages(BaseImagePolicy.allowing(b.baseImages()))
                // RUN steps held by the build limits, on both builders (README, Build limits).
                .withLimits(cpus.map(limits::offCpusHeldIn).orElse(limits));
        if (b.builder() == LocalConfig.Builder.CLASSIC) {
            return classic;
        }
        Optional<BuildKitCli> cli = BuildKitCli.find(docker);
        if (cli.isEmpty()) {
            if (b.builder() == LocalConfig.Builder.BUILDKIT) {
                throw new IllegalArgumentException("--builder buildkit: no docker CLI here can build with BuildKit (a CLI"
                        + " before 23, or one with the buildx plugin); install one, or use --builder classic");
            }
            LOG.warning("no docker CLI here can build with BuildKit: builds use the classic builder");
            return classic;
        }
        BuildCachePruner pruner = new BuildCachePruner(cli.get(), b.cacheBytes());
        // A limit lowered since the last start holds from the first build on.
        pruner.requested();
        return classic.withBuildKit(cli.get(), pruner);
    }

    /** The build network's rules (BuildKit: on the engine's default bridge); null when isolation is off. */
    private static DockerBuildNetwork confineBuilds(LocalConfig.Builds b, DockerCli docker, String storeId,
            boolean defaultBridge) throws InterruptedException {
        if (!b.isolated()) {
            LOG.warning("build isolation is off: builds can reach the host and its networks");
            return null;
        }
        DockerBuildNetwork n = defaultBridge
                ? DockerBuildNetwork.confineDefaultBridge(docker, b.iptables(), storeId, b.allowed(), b.denied())
                : DockerBuildNetwork.open(docker, b.iptables(), storeId, b.allowed(), b.denied());
        LOG.info("builds are confined on " + (defaultBridge ? "the engine's default bridge " : "the network " + n.name()
                + ", bridge ") + n.bridgeInterface());
        return n;
    }

    /** A random secret kept in {@code file} (made on first use, readable by its owner only). */
    private static byte[] secret(Path file) throws IOException {
        if (Files.exists(file)) {
            byte[] hex = Files.readAllBytes(file);
            try {
                byte[] b = HexFormat.of().parseHex(new String(hex, StandardCharsets.US_ASCII).strip());
                if (b.length >= 16) {
                    return b;
                }
            } catch (IllegalArgumentException e) {
                // rewritten below
            }
        }
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, HexFormat.of().formatHex(b), StandardCharsets.US_ASCII);
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return b;
    }
}
