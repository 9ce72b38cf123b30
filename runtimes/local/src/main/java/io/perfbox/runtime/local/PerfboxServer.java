package io.perfbox.runtime.local;

import io.perfbox.adapter.fs.FileSystemDockerfileStore;
import io.perfbox.adapter.fs.FileSystemJobArtifactStore;
import io.perfbox.adapter.sqlite.SqliteApiKeyStore;
import io.perfbox.adapter.sqlite.SqliteJobStore;
import io.perfbox.adapter.trivy.TrivyScanner;
import io.perfbox.api.PerfboxApi;
import io.perfbox.core.application.JobService;
import io.perfbox.core.auth.ApiKeys;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.lifecycle.HostJobResources;
import io.perfbox.core.lifecycle.JobLifecycle;
import io.perfbox.core.lifecycle.JobPipeline;
import io.perfbox.core.lifecycle.JobRecovery;
import io.perfbox.core.lifecycle.PipelineSettings;
import io.perfbox.core.port.JobStore;
import io.perfbox.runtime.local.backend.RunnerBackend;
import io.perfbox.runtime.local.data.JobRetention;
import io.perfbox.runtime.local.http.LocalApiServer;
import io.perfbox.runtime.local.http.Operations;
import io.perfbox.runtime.local.logging.LogSetup;
import io.perfbox.runtime.local.observe.DiskUsage;
import io.perfbox.runtime.local.observe.Readiness;
import io.perfbox.runtime.local.observe.ServerMetrics;
import io.perfbox.runtime.local.tls.ServerTls;
import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
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
    private final RunnerBackend backend;
    private final SqliteApiKeyStore keyStore;
    private final JobRetention retention;
    private volatile boolean closed;

    private PerfboxServer(FileChannel lockChannel, FileLock lock, SqliteJobStore database, LocalJobExecutor executor,
                          LocalApiServer api, JobStore jobs, JobLifecycle lifecycle, RunnerBackend backend,
                          SqliteApiKeyStore keyStore, JobRetention retention) {
        this.retention = retention;
        this.backend = backend;
        this.keyStore = keyStore;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.database = database;
        this.executor = executor;
        this.api = api;
        this.jobs = jobs;
        this.lifecycle = lifecycle;
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
        // Where jobs are built and run, chosen in one place (README, Layout): a missing engine is said at once.
        RunnerBackend backend = RunnerBackend.open(config, dataDir, storeId);
        try {
            return wireWith(backend, config, out, dataDir, lockChannel, lock, metricsToken);
        } catch (IOException | RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    /** The store, the pipeline over the backend's ports, recovery, retention and the API; then the start-up message. */
    private static PerfboxServer wireWith(RunnerBackend backend, LocalConfig config, PrintStream out, Path dataDir,
            FileChannel lockChannel, FileLock lock, Optional<String> metricsToken) throws IOException {
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
        var builder = backend.builder();
        var runner = backend.runner();
        var workspace = backend.workspace();
        var scanner = backend.scanner(config.trivy());
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
        ServerMetrics metrics = new ServerMetrics(metricSources(config, dataDir, executor, scanner, backend),
                database.findUnfinished(), clock);
        jobs.observedBy(metrics);
        Readiness readiness = new Readiness(List.of(
                // A COUNT over an index: the store answers a query.
                new Readiness.Check("store", () -> database.countActive("") >= 0),
                new Readiness.Check("engine", backend::ping),
                new Readiness.Check("scanner", () -> scanner.check().ready())));

        String leftovers = backend.removeLeftovers();
        JobRecovery.Recovered recovered = new JobRecovery(jobs, lifecycle, executor).recover();
        LOG.info("recovery: " + recovered.resumed() + " queued job(s) resumed, " + recovered.interrupted()
                + " interrupted; removed " + leftovers);
        // --retain-days: old finished jobs go with their files and what the engine holds of them (README, Operations).
        JobRetention retention = new JobRetention(jobs.expiring(database), config.retention().keep(), clock,
                new JobRetention.JobFiles() {
                    @Override
                    public long bytes(JobId id) {
                        return artifacts.bytes(id);
                    }

                    @Override
                    public void delete(JobId id) {
                        dockerfiles.delete(id);
                        artifacts.deleteAll(id);
                    }

                    @Override
                    public List<JobId> storedBefore(Instant cutoff) {
                        return artifacts.storedBefore(cutoff);
                    }
                },
                id -> {
                    resources.releaseQuietly(id);
                    return backend.removeJob(id);
                },
                id -> database.find(id).isPresent());

        LocalApiServer api;
        SqliteApiKeyStore keyStore = null;
        boolean keysRequired;
        ServerTls tls = ServerTls.NONE;
        try {
            tls = ServerTls.of(config.tls(), dataDir, config.host());
            // Always open: a data dir that holds keys requires them, loopback included, even when they are made by
            // `perfbox keys create` while this server runs. A request would otherwise read the key from SQLite every
            // time; a revoke by `perfbox keys` on the data dir counts within this window (README, Team server).
            keyStore = SqliteApiKeyStore.open(dataDir);
            ApiKeys apiKeys = new ApiKeys(keyStore, clock).remembering(KEY_LOOKUP_WINDOW);
            keysRequired = config.requireKeys() || apiKeys.anyMade();
            Optional<ApiKeys> keys = Optional.of(apiKeys);
            // The listen host itself is a name clients use when it is one (--listen build-box:8443).
            List<String> names = new ArrayList<>(config.serverNames());
            names.add(config.host());
            api = LocalApiServer.start(new InetSocketAddress(InetAddress.getByName(config.host()), config.port()),
                    tls.context(), keys, config.requireKeys(),
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
        PerfboxServer server = new PerfboxServer(lockChannel, lock, database, executor, api, jobs, lifecycle, backend,
                keyStore, retention);
        retention.start(config.retention().interval());
        startupMessage(out, config, dataDir, api.baseUrl(), tls.fingerprint(), keysRequired, scanner, backend);
        return server;
    }

    /** What `perfbox serve` prints once it listens: where, how it is secured, where its data is, and what jobs use. */
    private static void startupMessage(PrintStream out, LocalConfig config, Path dataDir, String baseUrl,
            Optional<String> fingerprint, boolean keysRequired, TrivyScanner scanner, RunnerBackend backend) {
        PipelineSettings settings = config.pipeline();
        out.println("perfbox listening on " + baseUrl);
        addressLines(baseUrl).forEach(out::println);
        fingerprint.ifPresent(f -> out.println("TLS certificate SHA-256 fingerprint: " + f));
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
        out.println(backend.cpuLine(config.workers(), settings.runLimits().cpus()));
        out.flush();
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
        try (ServerSocket probe = new ServerSocket()) {
            // As the server binds: a connection of an earlier server still in TIME_WAIT does not hold the port.
            probe.setReuseAddress(true);
            probe.bind(address);
        } catch (BindException e) {
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
            TrivyScanner scanner, RunnerBackend backend) {
        return new ServerMetrics.Sources() {
            @Override
            public Map<String, Integer> queuedByTenant() {
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
            public Optional<Instant> scannerDatabaseUpdatedAt() {
                try {
                    return scanner.databaseUpdatedAt();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Optional.empty();
                }
            }

            @Override
            public OptionalLong dataDirBytes() {
                return DiskUsage.of(dataDir);
            }

            @Override
            public OptionalLong buildCacheBytes() {
                try {
                    return backend.buildCacheBytes();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return OptionalLong.empty();
                }
            }
        };
    }

    /** How long the server trusts a key lookup before it reads the key store again. */
    static final Duration KEY_LOOKUP_WINDOW = Duration.ofSeconds(1);

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
        LOG.info("shutdown: removed " + backend.removeAll());
        backend.close();
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
