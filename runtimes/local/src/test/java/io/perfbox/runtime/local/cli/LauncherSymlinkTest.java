package io.perfbox.runtime.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.testing.RepositoryRoot;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher run through a symlink, as a user who puts it on the PATH (the completion script completes
 * {@code perfbox}) runs it: it finds its repository through the link, not in the link's directory (where Maven fails
 * with its reactor error). The real script runs in a copy of the repository's layout that is already built (its
 * stamp newer than its sources, its class path this test's), so the run starts the CLI without building anything.
 */
class LauncherSymlinkTest {

    /** A repository as the launcher sees it once built: the script, the stamp, the classes and the jars. */
    private static Path builtRepository(Path dir) throws Exception {
        Path repo = Files.createDirectories(dir.resolve("repo"));
        Files.copy(RepositoryRoot.path().resolve("perfbox"), repo.resolve("perfbox"), StandardCopyOption.COPY_ATTRIBUTES);
        Path local = Files.createDirectories(repo.resolve("runtimes/local"));
        Files.copy(RepositoryRoot.path().resolve("runtimes/local/serve.jvm-options"), local.resolve("serve.jvm-options"));
        Files.writeString(repo.resolve("pom.xml"), "<project/>\n");
        for (String module : List.of("core", "logging", "api", "adapters")) {
            Files.createDirectories(repo.resolve(module));
        }
        Path target = Files.createDirectories(local.resolve("target"));
        Path lib = Files.createDirectories(target.resolve("lib"));
        Path classes = null;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (entry.endsWith(".jar")) {
                Files.createSymbolicLink(lib.resolve(p.getFileName()), p.toAbsolutePath());
            } else if (p.endsWith(Path.of("runtimes/local/target/classes"))) {
                classes = p.toAbsolutePath();
            } else if (Files.isDirectory(p) && !p.endsWith("test-classes")) {
                // Another module's classes (a reactor build): the launcher's class path takes jars from lib/.
                Path jar = lib.resolve(p.toAbsolutePath().getParent().getParent().getFileName() + "-classes.jar");
                Process pack = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jar").toString(),
                        "cf", jar.toString(), "-C", p.toString(), ".").redirectErrorStream(true).start();
                String out = new String(pack.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(pack.waitFor(60, TimeUnit.SECONDS) && pack.exitValue() == 0).as(out).isTrue();
            }
        }
        assertThat(classes).as("the local runtime's classes on the class path").isNotNull();
        Files.createSymbolicLink(target.resolve("classes"), classes);
        // Every source older than the stamp: nothing to build.
        Instant past = Instant.now().minusSeconds(3600);
        try (var files = Files.walk(repo)) {
            for (Path p : files.filter(f -> !Files.isSymbolicLink(f)).toList()) {
                Files.setLastModifiedTime(p, FileTime.from(past));
            }
        }
        Files.writeString(target.resolve(".perfbox-built"), "");
        return repo;
    }

    private record Run(int exitCode, String out) {
    }

    private static Run run(Path launcher, Path cwd, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(launcher.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().keySet().removeIf(k -> k.startsWith("PERFBOX_"));
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    @Test
    void theLauncherRunThroughASymlinkOnThePathFindsItsRepository(@TempDir Path dir) throws Exception {
        Path repo = builtRepository(dir);
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path link = Files.createSymbolicLink(bin.resolve("perfbox"), repo.resolve("perfbox"));
        Path elsewhere = Files.createDirectories(dir.resolve("somewhere-else"));

        Run version = run(link, elsewhere, "--version");
        assertThat(version.out()).doesNotContain("reactor").doesNotContain("building");
        assertThat(version.exitCode()).as(version.out()).isZero();
        assertThat(version.out()).startsWith("perfbox ");
    }

    @Test
    void aRelativeLinkToALinkWorksToo(@TempDir Path dir) throws Exception {
        Path repo = builtRepository(dir);
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.createSymbolicLink(dir.resolve("perfbox-link"), repo.resolve("perfbox"));
        Path link = Files.createSymbolicLink(bin.resolve("pb"), Path.of("../perfbox-link"));

        Run help = run(link, bin, "help");
        assertThat(help.exitCode()).as(help.out()).isZero();
        assertThat(help.out()).contains("serve").contains("submit");
    }
}
