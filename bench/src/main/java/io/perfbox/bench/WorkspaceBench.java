package io.perfbox.bench;

import io.perfbox.adapter.fs.HostJobWorkspace;
import io.perfbox.core.domain.JobId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * 10. What a job's own /data file system costs: set-up (a sparse image, mkfs.ext4, a loop mount) and tear-down (the
 * unmount, the image removed) of a workspace of the default 1 GiB, against the plain directory it replaced (made,
 * opened to the container's user, removed), in the same run. Needs root, as {@code perfbox serve} does.
 */
final class WorkspaceBench {
    /** A job's pipeline takes about half a second: its /data may add a tenth of that. */
    static final double TARGET_SECONDS = 0.05;
    private static final long DATA_BYTES = 1024L * 1024 * 1024;
    private final int runs;

    WorkspaceBench(int runs) {
        this.runs = Math.max(runs, 5);
    }

    List<Outcome> run() throws Exception {
        Path root = Files.createTempDirectory("perfbox-bench-ws");
        try {
            HostJobWorkspace workspace = new HostJobWorkspace(root.resolve("ws"), DATA_BYTES);
            workspace.removeLeftovers();
            List<Double> setUp = new ArrayList<>();
            List<Double> tearDown = new ArrayList<>();
            List<Double> plain = new ArrayList<>();
            for (int i = 0; i < runs + 1; i++) {
                JobId id = JobId.random();
                long t0 = System.nanoTime();
                workspace.prepare(id);
                long t1 = System.nanoTime();
                Files.writeString(workspace.directoryOf(id).resolve("perf.json"), "{\"perf\":1}");
                long t2 = System.nanoTime();
                workspace.discard(id);
                long t3 = System.nanoTime();
                Path dir = root.resolve("plain").resolve(id.value()).resolve("data");
                long p0 = System.nanoTime();
                Files.createDirectories(dir);
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
                Files.writeString(dir.resolve("perf.json"), "{\"perf\":1}");
                Bench.deleteTree(root.resolve("plain").resolve(id.value()));
                long p1 = System.nanoTime();
                if (i > 0) { // the first is a warm-up (page cache, class loading)
                    setUp.add((t1 - t0) / 1e9);
                    tearDown.add((t3 - t2) / 1e9);
                    plain.add((p1 - p0) / 1e9);
                }
            }
            Stats up = Stats.of(setUp);
            Stats down = Stats.of(tearDown);
            Stats base = Stats.of(plain);
            System.out.printf("%n[10] per-job /data file system (1 GiB ext4, loop, nosuid,nodev)%n  set-up    %s%n"
                    + "  tear-down %s%n  plain directory (baseline) %s%n", up.minMedMax("s"), down.minMedMax("s"),
                    base.minMedMax("s", 5));
            double total = up.median() + down.median();
            return List.of(new Outcome("10", "per-job /data file system: set-up + tear-down",
                    String.format("%.3f s (%.3f + %.3f)", total, up.median(), down.median()),
                    String.format("%.5f s, plain directory", base.median()),
                    String.format("+%.3f s", total - base.median()),
                    String.format("≤ %.2f s", TARGET_SECONDS), Outcome.Verdict.of(total <= TARGET_SECONDS),
                    "mkfs.ext4 and mount/umount, per job"));
        } finally {
            new HostJobWorkspace(root.resolve("ws"), DATA_BYTES).removeLeftovers();
            Bench.deleteTree(root);
        }
    }
}
