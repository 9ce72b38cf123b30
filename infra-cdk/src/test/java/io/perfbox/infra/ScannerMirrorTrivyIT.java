package io.perfbox.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.perfbox.testing.trivy.RealTrivy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mirror and the job build together, with the real Trivy 0.58.1 and the real Docker engine: the mirror packs a
 * DB and records it, the job build fetches, checks and unpacks it, and Trivy scans a real image with
 * {@code --skip-db-update} against exactly that layout. Only the DB download is stood in for (it needs the internet):
 * the mirror's Trivy is a wrapper that writes perfbox's test DB ({@code tools/trivy-db-fixture}) where
 * {@code --download-db-only} would, and runs the real Trivy for everything else. S3 is a directory (a recording
 * {@code aws}); docker build and push are recorders, the scanned image is debian:bookworm tagged as the job's.
 */
class ScannerMirrorTrivyIT {
    private static final String JOB_ID = UUID.randomUUID().toString();
    private static final String REPOSITORY = "perfbox-scanner-it.invalid/jobs";
    private static final String IMAGE = REPOSITORY + ":job-" + JOB_ID;

    @TempDir
    Path dir;

    @AfterEach
    void untag() throws Exception {
        exec("/usr/bin/docker", "image", "rm", IMAGE);
    }

    @Test
    void dbTheMirrorPacksIsWhatTheJobBuildsTrivyReadsOfflineAndItsFindingsComeFromIt() throws Exception {
        Path trivy = RealTrivy.executable();
        Path fixture = RealTrivy.cacheDir();
        stub("aws", """
                if [[ "$1 $2" == "s3 cp" ]]; then
                  args=("$@"); src="${args[-2]}"; dst="${args[-1]}"
                  src="${src/s3:\\/\\/b\\//$BUCKET/}"; dst="${dst/s3:\\/\\/b\\//$BUCKET/}"
                  mkdir -p "$(dirname "$dst")"; cp "$src" "$dst"
                elif [[ "$1 $2" == "ecr get-login-password" ]]; then
                  echo token
                fi""");
        stub("docker", """
                case "$1" in
                  build) cat > /dev/null ;;
                  image) [[ "$2" == inspect ]] && echo 1000 ;;
                  login) cat > /dev/null ;;
                esac
                exit 0""");
        stub("iptables", """
                [[ "$1" == -S ]] && printf '%s\\n' '-P FORWARD DROP' '-A FORWARD -j DOCKER-USER'
                [[ "$1" == -C ]] && exit 1
                exit 0""");
        // The binary both buildspecs verify: the wrapper, published as the mirror would have.
        Path published = Files.createDirectories(dir.resolve("bucket/scanner/trivy-0.58.1")).resolve("trivy");
        Files.writeString(published, """
                #!/usr/bin/env bash
                if [[ " $* " == *" --download-db-only "* ]]; then
                  for ((i = 1; i <= $#; i++)); do j=$((i + 1)); [[ "${!i}" == --cache-dir ]] && cache="${!j}"; done
                  mkdir -p "$cache/db" && cp "%s/db/trivy.db" "%s/db/metadata.json" "$cache/db/"
                  exit
                fi
                exec "%s" "$@"
                """.formatted(fixture, fixture, trivy));
        String pinned = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(published)));
        exec("/usr/bin/docker", "tag", "debian:bookworm", IMAGE);

        Map<String, String> mirrorEnv = env("../buildspecs/scanner-mirror.yml", pinned);
        mirrorEnv.put("WORK_DIR", dir.resolve("mirror").toString());
        assertThat(bash(command("../buildspecs/scanner-mirror.yml", "/phases/build/commands/0"), mirrorEnv))
                .as(output()).isZero();
        assertThat(dir.resolve("bucket/scanner/db/current.json")).exists();

        Files.createDirectories(dir.resolve("bucket/jobs/" + JOB_ID));
        Files.writeString(dir.resolve("bucket/jobs/" + JOB_ID + "/Dockerfile"), "FROM debian:bookworm\n");
        Map<String, String> buildEnv = env("../buildspecs/build-and-scan.yml", pinned);
        buildEnv.putAll(Map.of("JOB_ID", JOB_ID, "IMAGE_REPOSITORY_URI", REPOSITORY, "WORK_DIR",
                dir.resolve("work").toString(), "PERFBOX_CACHE", dir.resolve("cache").toString()));
        assertThat(bash(command("../buildspecs/build-and-scan.yml", "/phases/build/commands/0"), buildEnv))
                .as(output()).isZero();
        assertThat(bash(command("../buildspecs/build-and-scan.yml", "/phases/build/finally/0"), buildEnv)).isZero();

        JsonNode outcome = new ObjectMapper().readTree(dir.resolve("bucket/jobs/" + JOB_ID + "/build-outcome.json").toFile());
        assertThat(outcome.path("outcome").asText()).as(output()).isEqualTo("BUILT");
        // The fixture's findings for bookworm: LOW and MEDIUM ones, and glibc's HIGH one already fixed there.
        String report = Files.readString(dir.resolve("bucket/jobs/" + JOB_ID + "/trivy-report.json"));
        assertThat(report).contains(RealTrivy.BASE_LOW, RealTrivy.BASE_MEDIUM_UNFIXED)
                .doesNotContain(RealTrivy.BASE_HIGH_ALREADY_FIXED);
        assertThat(outcome.path("pushed").asBoolean()).as("nothing at or above HIGH").isTrue();
    }

    private Map<String, String> env(String buildspec, String trivySha256) throws IOException {
        Map<String, String> env = new HashMap<>();
        new ObjectMapper(new YAMLFactory()).readTree(Path.of(buildspec).toFile()).at("/env/variables").properties()
                .forEach(v -> env.put(v.getKey(), v.getValue().asText()));
        env.putAll(Map.of("ARTIFACT_BUCKET", "b", "TRIVY_SHA256", trivySha256,
                "BUCKET", dir.resolve("bucket").toString(), "CALLS", dir.resolve("calls.log").toString(),
                "HOME", dir.toString(), "PATH", dir.resolve("bin") + ":" + System.getenv("PATH")));
        return env;
    }

    private static String command(String buildspec, String pointer) throws IOException {
        return new ObjectMapper(new YAMLFactory()).readTree(Path.of(buildspec).toFile()).at(pointer).asText();
    }

    private void stub(String name, String body) throws IOException {
        Path script = Files.createDirectories(dir.resolve("bin")).resolve(name);
        Files.writeString(script, "#!/usr/bin/env bash\nprintf '%s\\n' \"" + name + " $*\" >> \"$CALLS\"\n" + body + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private int bash(String script, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("output.log").toFile()));
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("the script finishes").isTrue();
        return p.exitValue();
    }

    private String output() {
        try {
            return Files.readString(dir.resolve("output.log"));
        } catch (IOException e) {
            return "(no output)";
        }
    }

    private static void exec(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor(60, TimeUnit.SECONDS);
    }
}
