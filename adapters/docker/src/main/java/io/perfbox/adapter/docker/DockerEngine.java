package io.perfbox.adapter.docker;

import io.perfbox.core.port.ContainerRunner.RunLimits;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import io.perfbox.core.port.LogSink;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a job's run and its clean-up ask of Docker, one call per step: {@link DockerApiEngine} makes the calls in
 * process over the engine's unix socket, {@link DockerCliEngine} through the docker CLI (an engine reached some
 * other way, e.g. over TCP or SSH). Containers are named by the caller.
 */
public interface DockerEngine {

    /**
     * A job's container: its image and labels, isolated by the run limits, with one host directory at /data, under
     * the engine's container runtime {@code runtime} (e.g. runsc; empty: the engine's default).
     */
    record ContainerSpec(String image, Map<String, String> labels, RunLimits limits, Path dataDirectory,
                         Optional<String> runtime, long storageSizeBytes, Optional<String> cpuset) {
        /**
         * {@code storageSizeBytes}: the engine's own cap of the container's size ({@code --storage-opt size}); 0: none.
         * {@code cpuset}: the CPUs the container may run on ({@code --cpuset-cpus}, "0-1,3"); empty: any.
         */
        public ContainerSpec {
            labels = Map.copyOf(labels);
            runtime = runtime == null ? Optional.empty() : runtime;
            cpuset = cpuset == null ? Optional.empty() : cpuset;
            if (storageSizeBytes < 0) {
                throw new IllegalArgumentException("storageSizeBytes < 0");
            }
            cpuset.ifPresent(list -> CpuPool.parse(list));
        }

        public ContainerSpec(String image, Map<String, String> labels, RunLimits limits, Path dataDirectory,
                             Optional<String> runtime, long storageSizeBytes) {
            this(image, labels, limits, dataDirectory, runtime, storageSizeBytes, Optional.empty());
        }

        public ContainerSpec(String image, Map<String, String> labels, RunLimits limits, Path dataDirectory,
                             Optional<String> runtime) {
            this(image, labels, limits, dataDirectory, runtime, 0);
        }

        public ContainerSpec(String image, Map<String, String> labels, RunLimits limits, Path dataDirectory) {
            this(image, labels, limits, dataDirectory, Optional.empty());
        }
    }

    /**
     * What a container's {@code size} storage option ({@code docker run --storage-opt size=N}) counts, by the engine's
     * storage driver: overlay2 (on XFS with project quotas) and zfs cap the container's own layer; btrfs caps what its
     * subvolume refers to, the image's files included (a qgroup's "referenced" limit); other drivers are not used.
     */
    enum StorageQuota {
        NONE, LAYER, LAYER_AND_IMAGE;

        static StorageQuota ofDriver(String driver) {
            return switch (driver == null ? "" : driver) {
                case "overlay2", "zfs" -> LAYER;
                case "btrfs" -> LAYER_AND_IMAGE;
                default -> NONE;
            };
        }
    }

    /** The engine's storage driver (e.g. overlay2, btrfs); empty when it cannot say. */
    default Optional<String> storageDriver() throws InterruptedException {
        return Optional.empty();
    }

    /** Whether the engine took a storage option: {@code refusal} empty when it did. */
    record StorageProbe(boolean answered, Optional<String> refusal) {
    }

    /**
     * Asks the engine to create (never start) a container of {@code image} capped at {@code sizeBytes}, then removes
     * it: whether the engine caps containers' sizes here. Not answered (the engine unreachable, the image gone) is not
     * a refusal.
     */
    default StorageProbe probeStorageSize(String image, Map<String, String> labels, long sizeBytes)
            throws InterruptedException {
        return new StorageProbe(true, Optional.of("this way of reaching the engine sets no storage options"));
    }

    /** How a build ended: its output as the docker CLI shows it, and whether it produced the image. */
    record BuildRun(boolean succeeded, boolean timedOut, int exitCode, CapturedLog log) {
    }

    /**
     * Builds with the classic builder (it cancels the build, killing the step's container, as soon as the client
     * goes away: timeouts and interruption rely on that), {@code dockerfile} being the whole build context; the
     * image is tagged {@code tag} and given {@code labels} as {@code --label} would.
     */
    default BuildRun build(String tag, byte[] dockerfile, Map<String, String> labels, Duration timeout, int maxLogBytes)
            throws InterruptedException {
        return build(tag, dockerfile, labels, null, null, timeout, maxLogBytes, LogSink.NONE);
    }

    /**
     * As above, the build's RUN steps on {@code network} (a Docker network's name; null: the engine's default), its
     * output also written to {@code output} as it comes.
     */
    BuildRun build(String tag, byte[] dockerfile, Map<String, String> labels, String network, String cgroupParent, Duration timeout,
            int maxLogBytes, LogSink output) throws InterruptedException;

    /** How a stopped container ended. */
    record ExitState(int exitCode, boolean oomKilled) {
    }

    /** Creates and starts the container; empty when it runs, else why not (the container may exist, stopped). */
    Optional<String> createAndStart(String name, ContainerSpec spec, Duration timeout) throws InterruptedException;

    /**
     * The container's output (stdout and stderr as written) from its start until it stops, at most {@code max} long;
     * counted whole, kept within {@code maxBytes}.
     */
    default CapturedLog followLogs(String name, int maxBytes, Duration max) throws InterruptedException {
        return followLogs(name, maxBytes, max, LogSink.NONE);
    }

    /** As above, the output also written to {@code output} as it comes. */
    CapturedLog followLogs(String name, int maxBytes, Duration max, LogSink output) throws InterruptedException;

    /** The output so far, without following; empty when there is none to read. Never throws. */
    CapturedLog logs(String name, int maxBytes);

    /** Blocks until the container has stopped (true) or the timeout passed (false). */
    boolean await(String name, Duration timeout) throws InterruptedException;

    /** How the container ended; empty when it is gone. */
    Optional<ExitState> inspect(String name) throws InterruptedException;

    /**
     * Bytes the container has written to its own file system (its writable layer, the image not counted), as
     * {@code docker inspect --size} counts them; empty when unknown.
     */
    default OptionalLong writableLayerBytes(String name) throws InterruptedException {
        return OptionalLong.empty();
    }

    /** Kills the container; best effort, carried out even when the caller was interrupted. */
    void kill(String name);

    /** Removes the container, running or not; best effort, carried out even when the caller was interrupted. */
    void removeContainer(String name);

    /**
     * Removes the image only when nothing needs it (no tag, no child image, no container): what a failed build left
     * of its steps. Best effort, as below; never forced.
     */
    default void removeImageIfUnused(String id) {
    }

    /** Removes the image (a tag of several only loses the tag); best effort, as above. */
    void removeImage(String ref);

    /** Ids of the containers (running or not) carrying the label with this value; empty when none or unreadable. */
    List<String> containersLabelled(String label, String value);

    /** Ids of the images carrying the label with this value; empty when none or unreadable. */
    List<String> imagesLabelled(String label, String value);

    /**
     * The labels of the image the engine holds under {@code ref} (a name, name:tag or id); empty when it holds none
     * (or cannot say).
     */
    Optional<Map<String, String>> imageLabels(String ref) throws InterruptedException;

    /** The image's size as the engine counts it (every layer, the base image's included). */
    long imageSize(String ref) throws InterruptedException;

    /** For the start-up banner. */
    String describe();

    /** The image's id ({@code sha256:...}) as the engine holds it under {@code ref}; empty when it holds none. */
    default Optional<String> imageId(String ref) throws InterruptedException {
        return Optional.empty();
    }

    /**
     * What the container was run with and where, for the job's receipt: its runtime and cpuset (from its HostConfig),
     * the engine's default runtime and the host's kernel (from the engine's info). Any part may be null.
     */
    record RunConfig(String runtime, String cpuset, String defaultRuntime, String kernel) {
    }

    /** The container's {@link RunConfig}; empty when the engine cannot say. */
    default Optional<RunConfig> runConfig(String name) throws InterruptedException {
        return Optional.empty();
    }

    /** Whether the engine answers now (a quick ping, for the server's readiness); false when it does not. */
    default boolean ping() throws InterruptedException {
        return false;
    }

    /**
     * The bytes of the engine's build cache as {@code docker system df} counts them (records shared with images left
     * out); empty when the engine cannot say.
     */
    default OptionalLong buildCacheBytes() throws InterruptedException {
        return OptionalLong.empty();
    }
}
