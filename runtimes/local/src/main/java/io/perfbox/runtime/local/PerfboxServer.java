package io.perfbox.runtime.local;

import io.perfbox.adapter.docker.BaseImagePolicy;
import io.perfbox.adapter.docker.DockerApiEngine;
import io.perfbox.adapter.docker.DockerCli;
import io.perfbox.adapter.docker.DockerCliEngine;
import io.perfbox.adapter.docker.BuildCachePruner;
import io.perfbox.adapter.docker.BuildKitCli;
import io.perfbox.adapter.docker.DockerBuildNetwork;
import io.perfbox.adapter.docker.CpuPool;
import io.perfbox.adapter.docker.DockerContainerRunner;
import io.perfbox.adapter.docker.DockerEngine;
import io.perfbox.adapter.docker.DockerImageBuilder;
import io.perfbox.adapter.docker.DockerJanitor;
import io.perfbox.adapter.fs.FileSystemDockerfileStore;
import io.perfbox.adapter.fs.FileSystemJobArtifactStore;
import io.perfbox.adapter.fs.HostJobWorkspace;
import io.perfbox.adapter.sqlite.SqliteApiKeyStore;
import io.perfbox.adapter.sqlite.SqliteJobStore;
import io.perfbox.core.auth.ApiKeys;
import io.perfbox.runtime.local.tls.Pem;
import io.perfbox.runtime.local.tls.SelfSigned;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import io.perfbox.adapter.trivy.TrivyScanner;
import io.perfbox.api.PerfboxApi;
import io.perfbox.core.application.JobService;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.lifecycle.HostJobResources;
import io.perfbox.core.lifecycle.JobLifecycle;
import io.perfbox.core.lifecycle.JobPipeline;
import io.perfbox.core.lifecycle.JobRecovery;
import io.perfbox.core.lifecycle.PipelineSettings;
import io.perfbox.core.port.JobStore;
import io.perfbox.runtime.local.data.JobRetention;
import io.perfbox.runtime.local.http.LocalApiServer;
import io.perfbox.runtime.local.http.Operations;
import io.perfbox.runtime.local.observe.DiskUsage;
import io.perfbox.runtime.local.observe.Readiness;
import io.perfbox.runtime.local.observe.ServerMetrics;
import io.perfbox.runtime.local.logging.LogSetup;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The local runtime's composition root: wires the real adapters to the use cases, recovers from an earlier
 * crash, and serves the API. One data directory belongs to one running server (a lock file enforces it).
 */
public final class PerfboxServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PerfboxServer.class.getName());
    /** Jobs kept in memory for reads: a few MiB at most, far more than clients poll at once. */
    private static final int JOB_CACHE_CAPACITY = 4096;

    private final FileChannel lockChannel;
    private final FileLock lock;
    private final SqliteJobStore database;
    private final LocalJobExecutor executor;
    private final LocalApiServer api;
    private final JobStore jobs;
    private final JobLifecycle lifecycle;
    private final DockerJanitor janitor;
    private final DockerBuildNetwork buildNetwork;
    private final SqliteApiKeyStore keyStore;
    private final JobRetention retention;
    private volatile boolean closed;

    private PerfboxServer(FileChannel lockChannel, FileLock lock, SqliteJobStore database, LocalJobExecutor executor,
                          LocalApiServer api, JobStore jobs, JobLifecycle lifecycle, DockerJanitor janitor,
                          DockerBuildNetwork buildNetwork, SqliteApiKeyStore keyStore, JobRetention retention) {
        this.retention = retention;
        this.buildNetwork = buildNetwork;
        this.keyStore = keyStore;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.database = database;
        this.executor = executor;
        this.api = api;
        this.jobs = jobs;
        this.lifecycle = lifecycle;
        this.janitor = janitor;
    }

    public static PerfboxServer start(LocalConfig config, PrintStream out) throws IOException {
        // Before the slow steps (the engine, the workspaces, recovery, the scanner): a port taken is said at once.
        requirePortFree(config.host(), config.port());
        Path dataDir = Files.createDirectories(config.dataDir());
        FileChannel lockChannel = FileChannel.open(dataDir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = lockChannel.tryLock();
        if (lock == null) {
            lockChannel.close();
            throw new IllegalArgumentException("another perfbox server is using " + dataDir + " (choose another --data-dir)");
        }
        try {
            return wire(config, out, dataDir, lockChannel, lock);
        } catch (IOException | RuntimeException e) {
            lock.release();
            lockChannel.close();
            throw e;
        }
    }

    private static PerfboxServer wire(LocalConfig config, PrintStream out, Path dataDir, FileChannel lockChannel,
                                      FileLock lock) throws IOException {
        LogSetup.logs(dataDir, Level.INFO, config.logFormat().resolve(Terminal.attached()) == LocalConfig.LogFormat.TEXT);
        String storeId = storeId(dataDir);
        // Read before the slow steps: a bad token file is the operator's typo, said at once.
        Optional<String> metricsToken = config.metricsTokenFile().isPresent()
                ? Optional.of(Operations.readToken(config.metricsTokenFile().get())) : Optional.empty();

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

        if (Files.isDirectory(dataDir.resolve("db"))) {
            // perfbox before 0.2 kept jobs in DynamoDB Local under db/; its jobs are not migrated (see README).
            LOG.warning("the data dir holds a db/ folder of an earlier perfbox (DynamoDB Local): its jobs are not read");
            out.println("note: " + dataDir.resolve("db") + " is an earlier perfbox's job database; its jobs are not read"
                    + " (see README, Store)");
        }
        SqliteJobStore database = SqliteJobStore.open(dataDir);
        // Clients poll jobs; the cache answers those reads from memory (this server is the store's only writer).
        CachedJobStore jobs = new CachedJobStore(database, JOB_CACHE_CAPACITY);

        Path jobFiles = dataDir.resolve("jobs");
        var dockerfiles = new FileSystemDockerfileStore(jobFiles);
        var artifacts = new FileSystemJobArtifactStore(jobFiles);
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
        var scanner = new TrivyScanner(config.trivy(), docker, () -> cpus.map(CpuPool::unheld));
        PipelineSettings settings = config.pipeline();
        Clock clock = Clock.systemUTC();
        var resources = new HostJobResources(runner, builder, workspace);
        JobLifecycle lifecycle = new JobLifecycle(jobs, artifacts, settings.policy(), settings.runLimits().memoryBytes(),
                resources, clock);
        JobPipeline pipeline = new JobPipeline(lifecycle, dockerfiles, builder, scanner, runner, workspace, resources,
                settings, artifacts);
        // Workers take jobs from the tenants in turn; the owner is read through the cache (no extra query).
        LocalJobExecutor executor = new LocalJobExecutor(pipeline, lifecycle, config.workers(),
                id -> jobs.find(id).map(Job::owner).orElse(""));
        JobService service = new JobService(jobs, dockerfiles, artifacts, executor, clock)
                .withQuotas(config.quotas(), database);

        // The metrics see every write from here on (recovery's included); the jobs under way are counted from the store.
        ServerMetrics metrics = new ServerMetrics(metricSources(config, dataDir, executor, scanner, engine),
                database.findUnfinished(), clock);
        jobs.observedBy(metrics);
        Readiness readiness = new Readiness(List.of(
                // A COUNT over an index: the store answers a query.
                new Readiness.Check("store", () -> database.countActive("") >= 0),
                new Readiness.Check("engine", engine::ping),
                new Readiness.Check("scanner", () -> scanner.check().ready())));

        DockerJanitor janitor = new DockerJanitor(engine, storeId);
        var leftovers = janitor.removeAll();
        JobRecovery.Recovered recovered = new JobRecovery(jobs, lifecycle, executor).recover();
        LOG.info("recovery: " + recovered.resumed() + " queued job(s) resumed, " + recovered.interrupted()
                + " interrupted; removed " + leftovers + " and " + leftoverWorkspaces + " workspace(s)");
        // --retain-days: old finished jobs go with their files and what the engine holds of them (README, Operations).
        JobRetention retention = new JobRetention(jobs.expiring(database), config.retention().keep(), clock,
                new JobRetention.JobFiles() {
                    @Override
                    public long bytes(io.perfbox.core.domain.JobId id) {
                        return artifacts.bytes(id);
                    }

                    @Override
                    public void delete(io.perfbox.core.domain.JobId id) {
                        dockerfiles.delete(id);
                        artifacts.deleteAll(id);
                    }

                    @Override
                    public List<io.perfbox.core.domain.JobId> storedBefore(java.time.Instant cutoff) {
                        return artifacts.storedBefore(cutoff);
                    }
                },
                id -> {
                    resources.releaseQuietly(id);
                    return janitor.removeJob(id.value()).images();
                },
                id -> database.find(id).isPresent());

        LocalApiServer api;
        SqliteApiKeyStore keyStore = null;
        boolean keysRequired;
        Optional<SSLContext> tls = Optional.empty();
        String fingerprint = null;
        try {
            if (config.tls().enabled()) {
                Path cert;
                Path key;
                if (config.tls().selfSigned()) {
                    SelfSigned.Pair pair = SelfSigned.ensure(dataDir.resolve("tls"), List.of(config.host()));
                    cert = pair.certificate();
                    key = pair.key();
                } else {
                    cert = config.tls().certificate().orElseThrow();
                    key = config.tls().key().orElseThrow();
                }
                tls = Optional.of(Pem.serverContext(cert, key));
                fingerprint = Pem.fingerprint(Pem.certificates(cert).get(0));
            }
            // Always open: a data dir that holds keys requires them, loopback included, even when they are made by
            // `perfbox keys create` while this server runs. A request would otherwise read the key from SQLite every
            // time; a revoke by `perfbox keys` on the data dir counts within this window (README, Team server).
            keyStore = SqliteApiKeyStore.open(dataDir);
            ApiKeys apiKeys = new ApiKeys(keyStore, clock).remembering(KEY_LOOKUP_WINDOW);
            keysRequired = config.requireKeys() || apiKeys.anyMade();
            Optional<ApiKeys> keys = Optional.of(apiKeys);
            // The listen host itself is a name clients use when it is one (--listen build-box:8443).
            List<String> names = new java.util.ArrayList<>(config.serverNames());
            names.add(config.host());
            api = LocalApiServer.start(new InetSocketAddress(InetAddress.getByName(config.host()), config.port()), tls, keys,
                    config.requireKeys(),
                    names, config.http(), new PerfboxApi(service, config.leaderboardOrder()),
                    Optional.of(new Operations(metrics, readiness, metricsToken)));
        } catch (IOException | RuntimeException e) {
            executor.close();
            database.close();
            if (keyStore != null) {
                keyStore.close();
            }
            if (e instanceof IllegalArgumentException) {
                throw e;
            }
            throw new IOException("cannot listen on " + config.hostForUrl() + ":" + config.port() + ": " + e.getMessage(), e);
        }
        PerfboxServer server = new PerfboxServer(lockChannel, lock, database, executor, api, jobs, lifecycle, janitor,
                buildNetwork, keyStore, retention);
        retention.start(config.retention().interval());
        out.println("perfbox listening on " + api.baseUrl());
        addressLines(api.baseUrl()).forEach(out::println);
        if (fingerprint != null) {
            out.println("TLS certificate SHA-256 fingerprint: " + fingerprint);
        }
        if (keysRequired) {
            out.println("API keys required" + (config.requireKeys() ? "" : ", since this data dir holds keys")
                    + " (header x-api-key; make one with: perfbox keys create --tenant NAME --data-dir " + dataDir + ")");
        }
        out.println("data in " + dataDir + "; finished jobs are kept " + config.retention().days() + " day(s)");
        out.println("workers: " + config.workers() + ", severity threshold: " + settings.policy().threshold()
                + (settings.policy().ignoreUnfixed() ? " (unfixed ignored)" : "") + ", misconfiguration threshold: "
                + (settings.policy().misconfigThreshold() == null ? "none (warnings only)"
                        : settings.policy().misconfigThreshold()) + ", scanner: " + scanner.describe());
        out.println(scannerLine(scanner));
        config.runtime().ifPresent(r -> out.println("jobs run under the container runtime " + r));
        out.println(cpuLine(cpus, config.workers(), settings.runLimits().cpus()));
        out.flush();
        return server;
    }

    /**
     * Fails, saying what to do, when {@code host:port} cannot be listened on because something holds it (port 0: any
     * free one, nothing to check). The real bind comes later, after the slow steps of the start.
     */
    static void requirePortFree(String host, int port) throws IOException {
        if (port == 0) {
            return;
        }
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(host), port);
        try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
            // As the server binds: a connection of an earlier server still in TIME_WAIT does not hold the port.
            probe.setReuseAddress(true);
            probe.bind(address);
        } catch (java.net.BindException e) {
            String where = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
            if (String.valueOf(e.getMessage()).contains("in use")) {
                throw new IllegalStateException("port " + port + " on " + host + " is in use (another perfbox serve, or"
                        + " another program, listens there): stop it, or choose another port with --port N (or --listen"
                        + " HOST:PORT)");
            }
            throw new IllegalStateException("cannot listen on " + where + ": " + e.getMessage()
                    + " (choose another --port or --listen)");
        }
    }

    /** Where a person opens the web console and the API docs, printed at start under the address it listens on. */
    static List<String> addressLines(String baseUrl) {
        return List.of("web console: " + baseUrl + "/", "API docs: " + baseUrl + "/docs");
    }

    /** What /metrics reads: the executor's queues and workers, the scanner's DB, the disk of the data dir and cache. */
    private static ServerMetrics.Sources metricSources(LocalConfig config, Path dataDir, LocalJobExecutor executor,
            TrivyScanner scanner, DockerEngine engine) {
        return new ServerMetrics.Sources() {
            @Override
            public java.util.Map<String, Integer> queuedByTenant() {
                return executor.queuedByTenant();
            }

            @Override
            public int busyWorkers() {
                return executor.busyWorkers();
            }

            @Override
            public int workers() {
                return config.workers();
            }

            @Override
            public Optional<java.time.Instant> scannerDatabaseUpdatedAt() {
                try {
                    return scanner.databaseUpdatedAt();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Optional.empty();
                }
            }

            @Override
            public java.util.OptionalLong dataDirBytes() {
                return DiskUsage.of(dataDir);
            }

            @Override
            public java.util.OptionalLong buildCacheBytes() {
                try {
                    return engine.buildCacheBytes();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return java.util.OptionalLong.empty();
                }
            }
        };
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
                byte[] b = java.util.HexFormat.of().parseHex(new String(hex, StandardCharsets.US_ASCII).strip());
                if (b.length >= 16) {
                    return b;
                }
            } catch (IllegalArgumentException e) {
                // rewritten below
            }
        }
        byte[] b = new byte[32];
        new java.security.SecureRandom().nextBytes(b);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, java.util.HexFormat.of().formatHex(b), StandardCharsets.US_ASCII);
        try {
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return b;
    }

    /** How long the server trusts a key lookup before it reads the key store again. */
    static final java.time.Duration KEY_LOOKUP_WINDOW = java.time.Duration.ofSeconds(1);

    /** A stable id for this data dir: labels on images and containers say which server owns them. */
    private static String storeId(Path dataDir) throws IOException {
        Path file = dataDir.resolve("store-id");
        if (Files.exists(file)) {
            String id = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (id.matches("[a-z0-9]{12}")) {
                return id;
            }
        }
        String id = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        Files.writeString(file, id, StandardCharsets.UTF_8);
        return id;
    }

    public int port() {
        return api.port();
    }

    public String baseUrl() {
        return api.baseUrl();
    }

    /** Before the first job: the scanner jobs will use and whether it works, or why not and what to do. */
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

    static String scannerLine(TrivyScanner scanner) {
        TrivyScanner.Readiness readiness;
        try {
            readiness = scanner.check();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "scanner: not checked (interrupted)";
        }
        return readiness.ready() ? "scanner: " + readiness.description() + ": ready"
                : "scanner: NOT READY: " + readiness.description() + "; until then jobs end FAILED/SCANNER_UNAVAILABLE";
    }

    /**
     * Stops serving, stops running jobs (builds and containers are stopped and removed) and records them as
     * INTERRUPTED; queued jobs stay queued and resume at the next start.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        retention.close();
        api.close();
        executor.close();
        try {
            for (Job job : jobs.findUnfinished()) {
                if (job.status() != JobStatus.QUEUED) {
                    lifecycle.interrupted(job.id());
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not record interrupted jobs at shutdown", e);
        }
        // A container the engine was still creating when its job was stopped can outlive the job's own clean-up.
        LOG.info("shutdown: removed " + janitor.removeAll());
        if (buildNetwork != null) {
            buildNetwork.close();
        }
        database.close();
        if (keyStore != null) {
            keyStore.close();
        }
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            LOG.fine("lock release: " + e.getMessage());
        }
    }
}
