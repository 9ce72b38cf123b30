package io.perfbox.adapter.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perfbox.adapter.process.BoundedCapture;
import io.perfbox.adapter.process.ProcessRunner;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import io.perfbox.core.port.LogSink;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * {@link DockerEngine} over the Docker Engine API on the engine's unix socket: the same requests the docker CLI
 * sends for {@code build -}, {@code run -d}, {@code logs --follow}, {@code wait}, {@code inspect}, {@code kill},
 * {@code rm -f} and {@code image rm -f}, without a CLI process per call. Used when the docker CLI perfbox was given reaches its
 * engine through a unix socket (its current context, DOCKER_HOST included).
 */
public final class DockerApiEngine implements DockerEngine {
    private static final Logger LOG = Logger.getLogger(DockerApiEngine.class.getName());
    /** The engine's own copy of a run's output on disk is bounded too; what the user gets is followLogs' capture. */
    static final String LOG_MAX_SIZE = "10m";
    static final String LOG_MAX_FILES = "2";
    private static final Duration QUICK = Duration.ofSeconds(60);
    /** A readiness ping: an engine that does not answer this soon is not ready. */
    private static final Duration PING = Duration.ofSeconds(5);
    /** Container names and image references perfbox makes: safe in a URL path as they are. */
    private static final Pattern PATH_SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:/-]*");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final DockerSocketClient api;

    public DockerApiEngine(DockerSocketClient api) {
        this.api = api;
    }

    /**
     * The engine behind {@code docker} when it is reached through a unix socket that answers; empty (and the CLI is
     * to be used) when it is reached another way, or the socket does not answer.
     */
    public static Optional<DockerApiEngine> reachableThrough(DockerCli docker) {
        String host;
        try {
            ProcessRunner.Result r = docker.command("context", "inspect", "--format", "{{.Endpoints.docker.Host}}")
                    .timeout(Duration.ofSeconds(30)).run();
            if (!r.succeeded()) {
                LOG.info("the docker CLI did not tell its engine's address (" + DockerCli.firstLine(r.errorText())
                        + "); Docker is driven through the CLI");
                return Optional.empty();
            }
            host = r.stdoutText().strip();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ProcessRunner.StartFailedException e) {
            return Optional.empty();
        }
        if (!host.startsWith("unix://")) {
            LOG.info("the Docker engine is at " + host + ", not on a unix socket; Docker is driven through the CLI");
            return Optional.empty();
        }
        Path socket = Path.of(host.substring("unix://".length()));
        if (!Files.exists(socket)) {
            return Optional.empty();
        }
        DockerSocketClient client = new DockerSocketClient(socket);
        try {
            DockerSocketClient.Response ping = client.send("GET", "/_ping", null, Duration.ofSeconds(10));
            if (ping.ok()) {
                return Optional.of(new DockerApiEngine(client));
            }
            LOG.info("the Docker engine at " + host + " answered HTTP " + ping.status() + " to a ping; Docker is driven through the CLI");
        } catch (IOException e) {
            LOG.info("the Docker engine socket " + socket + " cannot be used (" + e.getMessage() + "); Docker is driven through the CLI");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Optional.empty();
    }

    private static String path(String nameOrRef) {
        if (!PATH_SAFE.matcher(nameOrRef).matches()) {
            throw new IllegalArgumentException("not a container name or image reference perfbox makes: " + nameOrRef);
        }
        return nameOrRef;
    }

    @Override
    public BuildRun build(String tag, byte[] dockerfile, Map<String, String> labels, String network, String cgroupParent, Duration timeout,
            int maxLogBytes, LogSink output) throws InterruptedException {
        StringBuilder target = new StringBuilder("/build?version=1&rm=1&forcerm=1&t=").append(query(tag));
        if (network != null) {
            target.append("&networkmode=").append(query(network));
        }
        if (cgroupParent != null) {
            target.append("&cgroupparent=").append(query(cgroupParent));
        }
        if (!labels.isEmpty()) {
            try {
                target.append("&labels=").append(query(JSON.writeValueAsString(labels)));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        BoundedCapture log = new BoundedCapture(Math.max(2, maxLogBytes), output);
        boolean[] failed = {false};
        try {
            DockerSocketClient.Response r = api.stream("POST", target.toString(), "application/x-tar",
                    EngineApiFormats.tarOfOne("Dockerfile", dockerfile), timeout, body -> failed[0] = EngineApiFormats.showBuildOutput(body, log));
            if (!r.ok()) {
                // What the CLI prints for an answer like this one (a Dockerfile the builder cannot parse, say).
                EngineApiFormats.write(log, "Error response from daemon: " + r.message() + "\n");
                return new BuildRun(false, false, 1, log.toLog());
            }
            return new BuildRun(!failed[0], false, failed[0] ? 1 : 0, log.toLog());
        } catch (DockerSocketClient.TimedOutException e) {
            return new BuildRun(false, true, -1, log.toLog());
        } catch (IOException e) {
            EngineApiFormats.write(log, "error during the build: " + e.getMessage() + "\n");
            return new BuildRun(false, false, 1, log.toLog());
        }
    }

    private static String query(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Override
    public Optional<String> createAndStart(String name, ContainerSpec spec, Duration timeout) throws InterruptedException {
        // What `docker run --detach` sends for perfbox's flags (see DockerCliEngine).
        Map<String, Object> hostConfig = new LinkedHashMap<>();
        hostConfig.put("NetworkMode", "none");
        hostConfig.put("CapDrop", List.of("ALL"));
        hostConfig.put("SecurityOpt", List.of("no-new-privileges"));
        hostConfig.put("PidsLimit", spec.limits().pids());
        hostConfig.put("Memory", spec.limits().memoryBytes());
        hostConfig.put("MemorySwap", spec.limits().memoryBytes());
        // --cpus as the CLI gets it: three decimals.
        hostConfig.put("NanoCpus", Math.round(spec.limits().cpus() * 1000) * 1_000_000L);
        spec.cpuset().ifPresent(cpus -> hostConfig.put("CpusetCpus", cpus));
        hostConfig.put("LogConfig", Map.of("Type", "json-file", "Config", Map.of("max-size", LOG_MAX_SIZE, "max-file", LOG_MAX_FILES)));
        hostConfig.put("Mounts", List.of(Map.of("Type", "bind", "Source", spec.dataDirectory().toString(), "Target", "/data")));
        spec.runtime().ifPresent(runtime -> hostConfig.put("Runtime", runtime));
        if (spec.storageSizeBytes() > 0) {
            hostConfig.put("StorageOpt", Map.of("size", Long.toString(spec.storageSizeBytes())));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("Image", spec.image());
        body.put("Labels", spec.labels());
        body.put("HostConfig", hostConfig);
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            DockerSocketClient.Response created = api.send("POST",
                    "/containers/create?name=" + URLEncoder.encode(name, StandardCharsets.UTF_8), body, timeout);
            if (!created.ok()) {
                return Optional.of(DockerCli.firstLine(created.message()));
            }
            Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
            DockerSocketClient.Response started = api.send("POST", "/containers/" + path(name) + "/start", null, left);
            // 304: already started, which is what was asked.
            if (!started.ok() && started.status() != 304) {
                return Optional.of(DockerCli.firstLine(started.message()));
            }
            return Optional.empty();
        } catch (DockerSocketClient.TimedOutException e) {
            return Optional.of("the Docker engine did not start the container within " + timeout.toMinutes() + " minutes");
        } catch (IOException e) {
            return Optional.of("the Docker engine could not be reached: " + e.getMessage());
        }
    }

    @Override
    public CapturedLog followLogs(String name, int maxBytes, Duration max, LogSink output) throws InterruptedException {
        BoundedCapture capture = new BoundedCapture(Math.max(2, maxBytes), output);
        try {
            api.stream("GET", "/containers/" + path(name) + "/logs?stdout=1&stderr=1&follow=1", max,
                    body -> EngineApiFormats.demultiplex(body, capture, 0));
        } catch (IOException e) {
            // timed out or cut off: what arrived is the log so far
        }
        catchUp(name, capture);
        return capture.toLog();
    }

    /**
     * Docker 20.10 may end a follow when the container stops before it has sent the container's last output. The
     * engine's log file still holds it: read the whole log once more and write on what the follow did not get. Only
     * while the engine has not rotated that file (no {@code <LogPath>.1}), since the start of a re-read after a rotation
     * is no longer the start of what was followed; and only where perfbox can see the engine's files (a local engine).
     */
    private void catchUp(String name, BoundedCapture capture) throws InterruptedException {
        long followed = capture.totalBytes();
        try {
            DockerSocketClient.Response r = api.send("GET", "/containers/" + path(name) + "/json", null, QUICK);
            if (!r.ok()) {
                return;
            }
            String logPath = r.json().path("LogPath").asText("");
            if (logPath.isEmpty() || !Files.isRegularFile(Path.of(logPath))
                    || Files.exists(Path.of(logPath + ".1"))) {
                return;
            }
            api.stream("GET", "/containers/" + path(name) + "/logs?stdout=1&stderr=1", QUICK,
                    body -> EngineApiFormats.demultiplex(body, capture, followed));
        } catch (IOException | RuntimeException e) {
            // the container is gone or the engine is remote: the follow's output is the log
        }
    }

    @Override
    public CapturedLog logs(String name, int maxBytes) {
        boolean interrupted = Thread.interrupted();
        try {
            return readLogs(name, maxBytes);
        } catch (InterruptedException e) {
            interrupted = true;
            return CapturedLog.EMPTY;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The container's log as the engine holds it now (no follow). */
    private CapturedLog readLogs(String name, int maxBytes) throws InterruptedException {
        BoundedCapture capture = new BoundedCapture(Math.max(2, maxBytes));
        try {
            api.stream("GET", "/containers/" + path(name) + "/logs?stdout=1&stderr=1", QUICK,
                    body -> EngineApiFormats.demultiplex(body, capture, 0));
        } catch (IOException e) {
            // timed out or cut off: what arrived is the log
        }
        return capture.toLog();
    }

    @Override
    public boolean await(String name, Duration timeout) throws InterruptedException {
        try {
            api.send("POST", "/containers/" + path(name) + "/wait", null, timeout);
        } catch (DockerSocketClient.TimedOutException e) {
            return false;
        } catch (IOException e) {
            // As `docker wait` failing: the container is not running any more; inspect tells the rest.
        }
        return true;
    }

    @Override
    public Optional<ExitState> inspect(String name) throws InterruptedException {
        try {
            DockerSocketClient.Response r = api.send("GET", "/containers/" + path(name) + "/json", null, QUICK);
            if (!r.ok()) {
                return Optional.empty();
            }
            JsonNode state = r.json().path("State");
            return Optional.of(new ExitState(state.path("ExitCode").asInt(), state.path("OOMKilled").asBoolean()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Override
    public OptionalLong writableLayerBytes(String name) throws InterruptedException {
        try {
            DockerSocketClient.Response r = api.send("GET", "/containers/" + path(name) + "/json?size=1", null, QUICK);
            if (!r.ok() || !r.json().path("SizeRw").isNumber()) {
                return OptionalLong.empty();
            }
            return OptionalLong.of(r.json().path("SizeRw").asLong());
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    @Override
    public void kill(String name) {
        uninterruptibly("POST", "/containers/" + path(name) + "/kill");
    }

    @Override
    public void removeContainer(String name) {
        uninterruptibly("DELETE", "/containers/" + path(name) + "?force=1");
    }

    @Override
    public void removeImageIfUnused(String id) {
        uninterruptibly("DELETE", "/images/" + path(id));
    }

    @Override
    public void removeImage(String ref) {
        uninterruptibly("DELETE", "/images/" + path(ref) + "?force=1");
    }

    @Override
    public List<String> containersLabelled(String label, String value) {
        return idsOf("/containers/json?all=1&filters=" + query("{\"label\":[\"" + label + "=" + value + "\"]}"));
    }

    @Override
    public List<String> imagesLabelled(String label, String value) {
        return idsOf("/images/json?filters=" + query("{\"label\":[\"" + label + "=" + value + "\"]}"));
    }

    private List<String> idsOf(String target) {
        boolean interrupted = Thread.interrupted();
        try {
            DockerSocketClient.Response r = api.send("GET", target, null, QUICK);
            if (!r.ok()) {
                return List.of();
            }
            List<String> ids = new ArrayList<>();
            r.json().forEach(item -> ids.add(item.path("Id").asText()));
            return ids.stream().filter(id -> !id.isEmpty()).distinct().toList();
        } catch (InterruptedException e) {
            interrupted = true;
            return List.of();
        } catch (IOException e) {
            LOG.fine(() -> "GET " + target + ": " + e.getMessage());
            return List.of();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public Optional<Map<String, String>> imageLabels(String ref) throws InterruptedException {
        try {
            DockerSocketClient.Response r = api.send("GET", "/images/" + path(ref) + "/json", null, QUICK);
            if (!r.ok()) {
                return Optional.empty();
            }
            Map<String, String> labels = new LinkedHashMap<>();
            r.json().path("Config").path("Labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
            return Optional.of(labels);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<String> imageId(String ref) throws InterruptedException {
        try {
            DockerSocketClient.Response r = api.send("GET", "/images/" + path(ref) + "/json", null, QUICK);
            String id = r.ok() ? r.json().path("Id").asText("") : "";
            return id.isEmpty() ? Optional.empty() : Optional.of(id);
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<RunConfig> runConfig(String name) throws InterruptedException {
        try {
            DockerSocketClient.Response c = api.send("GET", "/containers/" + path(name) + "/json", null, QUICK);
            DockerSocketClient.Response info = api.send("GET", "/info", null, QUICK);
            JsonNode host = c.ok() ? c.json().path("HostConfig") : null;
            JsonNode engineInfo = info.ok() ? info.json() : null;
            return Optional.of(new RunConfig(
                    host == null ? null : textOrNull(host.path("Runtime")),
                    host == null ? null : textOrNull(host.path("CpusetCpus")),
                    engineInfo == null ? null : textOrNull(engineInfo.path("DefaultRuntime")),
                    engineInfo == null ? null : textOrNull(engineInfo.path("KernelVersion"))));
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<String> storageDriver() throws InterruptedException {
        try {
            DockerSocketClient.Response info = api.send("GET", "/info", null, QUICK);
            return info.ok() ? Optional.ofNullable(textOrNull(info.json().path("Driver"))) : Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    @Override
    public StorageProbe probeStorageSize(String image, Map<String, String> labels, long sizeBytes) throws InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("Image", image);
        body.put("Labels", labels);
        // Never started: a command is named only so that an image without one is created too.
        body.put("Cmd", List.of("true"));
        body.put("HostConfig", Map.of("NetworkMode", "none", "StorageOpt", Map.of("size", Long.toString(sizeBytes))));
        try {
            DockerSocketClient.Response created = api.send("POST", "/containers/create", body, QUICK);
            if (created.ok()) {
                String id = created.json().path("Id").asText("");
                if (!id.isEmpty()) {
                    uninterruptibly("DELETE", "/containers/" + path(id) + "?force=1&v=1");
                }
                return new StorageProbe(true, Optional.empty());
            }
            // 404: the image is gone, which says nothing about the engine's storage.
            return created.status() == 404 ? new StorageProbe(false, Optional.empty())
                    : new StorageProbe(true, Optional.of(DockerCli.firstLine(created.message())));
        } catch (IOException | IllegalArgumentException e) {
            return new StorageProbe(false, Optional.empty());
        }
    }

    private static String textOrNull(JsonNode n) {
        return n.isTextual() && !n.asText().isBlank() ? n.asText() : null;
    }

    @Override
    public long imageSize(String ref) throws InterruptedException {
        try {
            DockerSocketClient.Response r = api.send("GET", "/images/" + path(ref) + "/json", null, QUICK);
            JsonNode size = r.ok() ? r.json().path("Size") : null;
            if (size == null || !size.canConvertToLong()) {
                throw new IllegalStateException("the engine could not tell the size of the image " + ref + ": HTTP "
                        + r.status() + " " + r.message());
            }
            return size.asLong();
        } catch (IOException e) {
            throw new IllegalStateException("the engine could not tell the size of the image " + ref + ": " + e.getMessage(), e);
        }
    }

    private void uninterruptibly(String method, String target) {
        boolean interrupted = Thread.interrupted();
        try {
            DockerSocketClient.Response r = api.send(method, target, null, QUICK);
            if (!r.ok() && r.status() != 404) {
                LOG.fine(() -> method + " " + target + ": HTTP " + r.status() + " " + r.message());
            }
        } catch (InterruptedException e) {
            interrupted = true;
        } catch (IOException e) {
            LOG.fine(() -> method + " " + target + ": " + e.getMessage());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean ping() throws InterruptedException {
        try {
            return api.send("GET", "/_ping", null, PING).ok();
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public OptionalLong buildCacheBytes() throws InterruptedException {
        try {
            DockerSocketClient.Response r = api.send("GET", "/system/df", null, QUICK);
            if (!r.ok()) {
                return OptionalLong.empty();
            }
            return buildCacheBytesIn(r.json());
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    /** The sum of the build cache records' sizes of {@code GET /system/df}, those shared with images left out. */
    static OptionalLong buildCacheBytesIn(JsonNode df) {
        JsonNode records = df.path("BuildCache");
        if (!records.isArray()) {
            return OptionalLong.empty();
        }
        long sum = 0;
        for (JsonNode record : records) {
            if (!record.path("Shared").asBoolean(false)) {
                sum += Math.max(0, record.path("Size").asLong(0));
            }
        }
        return OptionalLong.of(sum);
    }

    /** The engine's socket. */
    public Path socket() {
        return api.socket();
    }

    @Override
    public String describe() {
        return "the Engine API at unix://" + api.socket();
    }
}
