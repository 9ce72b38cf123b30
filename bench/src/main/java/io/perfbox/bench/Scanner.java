package io.perfbox.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Trivy both sides of the pipeline benchmarks use, with the same database and the same offline flags: the real
 * scanner, never a stand-in. Default: the pinned build ({@code tools/install-trivy}) scanning offline against the
 * test database written from {@code local/src/test/trivy-db/bookworm-fixture.yaml} (Trivy's DB cannot be downloaded
 * on our machines); {@code --trivy PATH [--trivy-cache-dir DIR]} uses yours.
 */
record Scanner(String executable, Path cacheDir, String description) {

    static Scanner prepare(Path root, String trivyOption, String cacheDirOption) throws Exception {
        String executable = trivyOption != null ? trivyOption : lastLine(root.resolve("tools/install-trivy").toString());
        Path cacheDir;
        String db;
        if (cacheDirOption != null) {
            cacheDir = Path.of(cacheDirOption).toAbsolutePath();
            db = "the DB in " + cacheDir;
        } else {
            cacheDir = root.resolve("bench/target/trivy-cache");
            lastLine(root.resolve("tools/trivy-db-fixture/build-db").toString(),
                    root.resolve("tools/trivy-db-fixture/bookworm-fixture.yaml").toString(), cacheDir.toString());
            db = "the test DB (local/src/test/trivy-db/bookworm-fixture.yaml)";
        }
        if (!Files.isDirectory(cacheDir.resolve("db"))) {
            throw new IllegalStateException("no Trivy DB in " + cacheDir + "/db");
        }
        String version = lastLine(executable, "--version").replace("Version: ", "");
        return new Scanner(executable, cacheDir, "Trivy " + version + " (" + executable + "), offline, " + db);
    }

    /** The options that make perfbox serve scan exactly as {@link #imageCommand} does. */
    List<String> serveOptions() {
        return List.of("--trivy", executable, "--trivy-cache-dir", cacheDir.toString(), "--trivy-skip-db-update",
                "--trivy-offline-scan", "--no-trivy-image-fallback");
    }

    /** The scan by hand, with the flags perfbox passes. */
    List<String> imageCommand(String image) {
        List<String> cmd = new ArrayList<>(List.of(executable, "image", "--format", "json", "--quiet", "--scanners", "vuln",
                "--image-src", "docker", "--cache-dir", cacheDir.toString(), "--skip-db-update", "--skip-java-db-update",
                "--offline-scan"));
        cmd.add(image);
        return cmd;
    }

    private static String lastLine(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
        List<String> lines = out.lines().toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1).strip();
    }
}
