package io.perfbox.adapter.docker;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A second Docker engine of the test's own, on a btrfs file system with quotas (a loop-mounted image), beside the
 * machine's engine: the kind of engine that caps a container's size ({@code --storage-opt size}), which the
 * machine's overlay2 on ext4 cannot. A bridge of its own that nothing uses (an engine told {@code --bridge none}
 * deletes the host's docker0, the machine's engine's bridge) and no iptables rules; it holds a copy of
 * {@code debian:bookworm} from the machine's engine. Needs root, dockerd, ip, mkfs.btrfs and btrfs (btrfs-progs).
 */
final class BtrfsEngine implements AutoCloseable {
    private final Path dir;
    private final Path mount;
    private final Path socket;
    private final Process dockerd;
    private final Path cli;
    private final String bridge;

    private BtrfsEngine(Path dir, Path mount, Path socket, Process dockerd, Path cli, String bridge) {
        this.bridge = bridge;
        this.dir = dir;
        this.mount = mount;
        this.socket = socket;
        this.dockerd = dockerd;
        this.cli = cli;
    }

    /** Starts one, or skips the test where the machine cannot (fails instead under CI=true). */
    static BtrfsEngine start() throws Exception {
        List<String> missing = new ArrayList<>();
        for (String tool : List.of("dockerd", "ip", "mkfs.btrfs", "btrfs", "mount", "umount")) {
            if (!onPath(tool)) {
                missing.add(tool);
            }
        }
        boolean root = "0".equals(run(Duration.ofSeconds(10), "id", "-u").strip());
        if (!root || !missing.isEmpty()) {
            String why = "a btrfs engine needs root and " + String.join(", ", missing) + " (apt-get install btrfs-progs)";
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(why);
            }
            Assumptions.abort(why);
        }
        // Short: the engine's containerd puts unix sockets under its exec root (108 bytes at most).
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "pbx-btrfs");
        Path image = dir.resolve("fs.img");
        Path mount = dir.resolve("m");
        Files.createDirectories(mount);
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(3L << 30); // sparse
        }
        run(Duration.ofMinutes(1), "mkfs.btrfs", "-q", "-f", image.toString());
        run(Duration.ofMinutes(1), "mount", "-o", "loop", image.toString(), mount.toString());
        run(Duration.ofMinutes(1), "btrfs", "quota", "enable", mount.toString());
        // Its own bridge, made here: 10/8 is in none of the engine's default address pools.
        String bridge = "pbxb" + Long.toHexString(System.nanoTime() & 0xffffffL);
        run(Duration.ofSeconds(30), "ip", "link", "add", bridge, "type", "bridge");
        run(Duration.ofSeconds(30), "ip", "addr", "add", "10.254.213.1/24", "dev", bridge);
        Path socket = dir.resolve("d.sock");
        Path config = dir.resolve("daemon.json");
        Files.writeString(config, "{}");
        Process dockerd = new ProcessBuilder(which("dockerd"), "--config-file", config.toString(),
                "--data-root", mount.resolve("docker").toString(), "--storage-driver", "btrfs",
                "--exec-root", dir.resolve("x").toString(), "--host", "unix://" + socket,
                "--pidfile", dir.resolve("d.pid").toString(), "--bridge", bridge, "--iptables=false", "--ip-masq=false")
                .redirectErrorStream(true).redirectOutput(dir.resolve("dockerd.log").toFile()).start();
        Path cli = dir.resolve("docker");
        Files.writeString(cli, "#!/bin/sh\nDOCKER_HOST=unix://" + socket + " exec docker \"$@\"\n");
        Files.setPosixFilePermissions(cli, PosixFilePermissions.fromString("rwx------"));
        BtrfsEngine engine = new BtrfsEngine(dir, mount, socket, dockerd, cli, bridge);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!engine.answers()) {
                if (System.nanoTime() > deadline || !dockerd.isAlive()) {
                    throw new IllegalStateException("the btrfs engine did not answer: "
                            + Files.readString(dir.resolve("dockerd.log")));
                }
                Thread.sleep(300);
            }
            run(Duration.ofMinutes(3), "sh", "-c", "docker save debian:bookworm | " + cli + " load");
            return engine;
        } catch (Exception | AssertionError e) {
            engine.close();
            throw e;
        }
    }

    private boolean answers() throws InterruptedException {
        try {
            return run(Duration.ofSeconds(10), cli.toString(), "info", "--format", "{{.Driver}}").strip().equals("btrfs");
        } catch (IllegalStateException | IOException e) {
            return false;
        }
    }

    /** The docker CLI reaching this engine. */
    DockerCli cli() {
        return new DockerCli(cli.toString());
    }

    Path socket() {
        return socket;
    }

    /** Builds {@code tag} from {@code dockerfile} (the classic builder; no RUN step may need a network here). */
    void build(String tag, String dockerfile) throws Exception {
        Path file = dir.resolve("Dockerfile-" + tag.replaceAll("[^A-Za-z0-9]", "_"));
        Files.writeString(file, dockerfile);
        run(Duration.ofMinutes(2), "sh", "-c", "DOCKER_BUILDKIT=0 " + cli + " build -q -t " + tag + " - < " + file);
    }

    @Override
    public void close() throws IOException {
        try {
            dockerd.destroy();
            if (!dockerd.waitFor(30, TimeUnit.SECONDS)) {
                dockerd.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            try {
                run(Duration.ofMinutes(1), "umount", "-l", mount.toString());
            } catch (IllegalStateException e) {
                // not mounted
            }
            try {
                run(Duration.ofSeconds(30), "ip", "link", "del", bridge);
            } catch (IllegalStateException e) {
                // gone already
            }
            run(Duration.ofMinutes(1), "rm", "-rf", dir.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while removing the btrfs engine in " + dir);
        }
    }

    private static boolean onPath(String tool) {
        return !which(tool).equals(tool);
    }

    /** The tool's path, looked up also in the sbin directories (root's tools); the name itself when not found. */
    private static String which(String tool) {
        for (String d : (System.getenv("PATH") + ":/usr/local/sbin:/usr/sbin:/sbin").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
                return Path.of(d, tool).toString();
            }
        }
        return tool;
    }

    private static String run(Duration timeout, String... cmd) throws IOException, InterruptedException {
        String[] resolved = cmd.clone();
        resolved[0] = which(cmd[0]);
        Process p = new ProcessBuilder(resolved).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", cmd) + ": no answer in " + timeout);
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + ": exit " + p.exitValue() + ": " + text);
        }
        return text;
    }
}
