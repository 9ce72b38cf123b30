package io.perfbox.adapter.aws.ecs;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The task sizes Fargate accepts (Linux): each CPU value allows a memory range in fixed steps. The one table of
 * them: the workflow's configuration checks against it, and infra-cdk's tests hold the stack's own check to it.
 */
public final class FargateTaskSize {
    /** CPU units → {smallest memory MiB, largest, step}. 256 CPU takes only 512, 1024 and 2048. */
    private static final Map<Integer, int[]> MEMORY = new TreeMap<>(Map.of(
            256, new int[] {512, 2048, 512},
            512, new int[] {1024, 4096, 1024},
            1024, new int[] {2048, 8192, 1024},
            2048, new int[] {4096, 16384, 1024},
            4096, new int[] {8192, 30720, 1024},
            8192, new int[] {16384, 61440, 4096},
            16384, new int[] {32768, 122880, 8192}));

    /** Fargate's ephemeral storage: 20 GiB unless the task definition asks for 21 to 200. */
    public static final int DEFAULT_EPHEMERAL_GIB = 20;
    public static final int MAX_EPHEMERAL_GIB = 200;
    /** Room beside the image for what the container writes outside /data (its writable layer), and the pull. */
    public static final int WRITABLE_LAYER_GIB = 10;
    /** The largest image a job's task can hold: ephemeral storage at most, less the writable layer's room. */
    public static final long MAX_IMAGE_MIB = (long) (MAX_EPHEMERAL_GIB - WRITABLE_LAYER_GIB) * 1024;

    private FargateTaskSize() {
    }

    /**
     * The ephemeral storage a task needs to run an image of up to {@code maxImageMib}: the image unpacked plus the
     * writable layer's room, in whole GiB, never below Fargate's default. IllegalArgumentException past what
     * Fargate offers.
     */
    public static int ephemeralStorageGiB(long maxImageMib) {
        if (maxImageMib < 1 || maxImageMib > MAX_IMAGE_MIB) {
            throw new IllegalArgumentException("an image limit of " + maxImageMib + " MiB cannot run on Fargate: its "
                    + "ephemeral storage holds at most " + MAX_EPHEMERAL_GIB + " GiB, of which " + WRITABLE_LAYER_GIB
                    + " GiB are kept for the container's writes (the limit is at most " + MAX_IMAGE_MIB + " MiB)");
        }
        long needed = (maxImageMib + 1023) / 1024 + WRITABLE_LAYER_GIB;
        return (int) Math.max(DEFAULT_EPHEMERAL_GIB, needed);
    }

    public static Set<Integer> cpuUnits() {
        return MEMORY.keySet();
    }

    public static boolean isValid(int cpu, int memoryMiB) {
        int[] range = MEMORY.get(cpu);
        if (range == null || memoryMiB < range[0] || memoryMiB > range[1]) {
            return false;
        }
        return cpu == 256 ? Set.of(512, 1024, 2048).contains(memoryMiB) : (memoryMiB - range[0]) % range[2] == 0;
    }

    /** Why a size is refused, in words; empty when Fargate accepts it. */
    public static Optional<String> problem(int cpu, int memoryMiB) {
        int[] range = MEMORY.get(cpu);
        if (range == null) {
            return Optional.of("task CPU must be one of Fargate's " + cpuUnits() + ", not " + cpu);
        }
        if (!isValid(cpu, memoryMiB)) {
            return Optional.of("task memory " + memoryMiB + " MiB is not valid for " + cpu + " CPU units: Fargate allows "
                    + range[0] + " to " + range[1] + " MiB in steps of " + range[2]);
        }
        return Optional.empty();
    }
}
