package io.perfbox.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.perfbox.adapter.trivy.TrivyConfigReportParser;
import io.perfbox.testing.trivy.RealTrivy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mirror and the job build together, with the real Trivy 0.58.1 and the real Docker engine: the mirror packs a
 * DB and a Java DB and records them, the job build fetches, checks and unpacks them, and Trivy scans a real image
 * holding a jar with {@code --skip-db-update --skip-java-db-update} against exactly that layout, in a network
 * namespace with no network at all ({@code unshare -rn}): a scan that tried to fetch anything would fail. Only the
 * DB downloads are stood in for (they need the internet): the mirror's Trivy is a wrapper that writes perfbox's test
 * DB ({@code tools/trivy-db-fixture}) where {@code --download-db-only} would, and a one-artifact Java DB (made here
 * with sqlite3 in trivy-java-db's schema 1) where {@code --download-java-db-only} would, and runs the real Trivy for
 * everything else. S3 is a directory (a recording {@code aws}); docker build and push are recorders, the scanned
 * image is built beforehand from debian:bookworm and a jar that carries no Maven metadata, so only the Java DB's
 * SHA-1 index can name it.
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
    void dbsTheMirrorPacksAreWhatTheJobBuildsTrivyReadsWithNoNetworkAndItsFindingsComeFromThem() throws Exception {
        Path trivy = RealTrivy.executable();
        Path fixture = RealTrivy.cacheDir();
        Path javaDb = javaDbFixture(imageWithJar());
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
        stub("iptables", BuildspecScriptTest.IPTABLES_WORKS);
        // The binary both buildspecs verify: the wrapper, published as the mirror would have.
        Path published = Files.createDirectories(dir.resolve("bucket/scanner/trivy-0.58.1")).resolve("trivy");
        Files.writeString(published, """
                #!/usr/bin/env bash
                for ((i = 1; i <= $#; i++)); do j=$((i + 1)); [[ "${!i}" == --cache-dir ]] && cache="${!j}"; done
                if [[ " $* " == *" --download-db-only "* ]]; then
                  mkdir -p "$cache/db" && cp "%1$s/db/trivy.db" "%1$s/db/metadata.json" "$cache/db/"
                  exit
                elif [[ " $* " == *" --download-java-db-only "* ]]; then
                  mkdir -p "$cache/java-db" && cp "%2$s/trivy-java.db" "%2$s/metadata.json" "$cache/java-db/"
                  exit
                fi
                exec unshare -rn "%3$s" "$@"
                """.formatted(fixture, javaDb, trivy));
        String pinned = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(published)));

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
        // The Dockerfile check's jar as the stack publishes it (the workflow functions' jar), run by this JVM's java
        // as CodeBuild's runtime-versions puts Corretto 21 first on PATH.
        Path checkJar = Files.createDirectories(dir.resolve("bucket/assets")).resolve("workflow.jar");
        Files.copy(SynthesizedStack.workflowJar(), checkJar);
        buildEnv.put("DOCKERFILE_CHECK_JAR", "s3://b/assets/workflow.jar");
        buildEnv.put("BASE_IMAGES", ContextKey.BASE_IMAGES.defaultValue());
        buildEnv.put("PATH", dir.resolve("bin") + ":" + Path.of(System.getProperty("java.home"), "bin") + ":"
                + System.getenv("PATH"));
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
        // The jar is named from the mirrored Java DB alone (Trivy reports a jar's result only once it identified it).
        JsonNode results = new ObjectMapper().readTree(report).path("Results");
        assertThat(results.findValuesAsText("Type")).as(report).contains("debian", "jar");
        // The scan's own log: the jar's lookup happened, with no network to fetch anything from.
        assertThat(output()).contains("Number of language-specific files\tnum=1").doesNotContain("Downloading");
        // Trivy's own Dockerfile checks ran there too, on the checks it embeds (no network): the Dockerfile has no USER.
        var misconfigurations = TrivyConfigReportParser.parse(
                Files.readAllBytes(dir.resolve("bucket/jobs/" + JOB_ID + "/trivy-misconfig.json")));
        assertThat(misconfigurations).extracting(m -> m.id() + " " + m.severity()).as(output()).contains("DS002 HIGH");
    }

    @Test
    void withoutItsMirroredJavaDbTheSameSandboxedScanOfAJarWouldFetchOneAndFails() throws Exception {
        // The control: the sandbox really has no network, and a jar makes Trivy want its Java DB.
        Path cache = Files.createDirectories(dir.resolve("cache-without-java-db/db"));
        Path fixture = RealTrivy.cacheDir();
        Files.copy(fixture.resolve("db/trivy.db"), cache.resolve("trivy.db"));
        Files.copy(fixture.resolve("db/metadata.json"), cache.resolve("metadata.json"));
        imageWithJar();

        Process p = new ProcessBuilder("unshare", "-rn", RealTrivy.executable().toString(), "image", "--cache-dir",
                cache.getParent().toString(), "--skip-db-update", "--scanners", "vuln", "--format", "json", IMAGE)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();

        assertThat(p.exitValue()).as(out).isNotZero();
        assertThat(out).contains("failed to download Java DB", "network is unreachable");
    }

    /** The job's image: debian:bookworm and a jar without pom.properties or manifest; returns the jar's SHA-1. */
    private String imageWithJar() throws Exception {
        Path context = Files.createDirectories(dir.resolve("image"));
        Path jar = context.resolve("lib.jar");
        try (var zip = new ZipOutputStream(Files.newOutputStream(jar))) {
            zip.putNextEntry(new ZipEntry("io/perfbox/fixture/Lib.class"));
            zip.write(("perfbox fixture " + JOB_ID).getBytes());
            zip.closeEntry();
        }
        Files.writeString(context.resolve("Dockerfile"), "FROM debian:bookworm\nCOPY lib.jar /opt/app/lib.jar\n");
        Process build = new ProcessBuilder("/usr/bin/docker", "build", "--quiet", "--tag", IMAGE, context.toString())
                .redirectErrorStream(true).start();
        String out = new String(build.getInputStream().readAllBytes());
        assertThat(build.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(build.exitValue()).as(out).isZero();
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(Files.readAllBytes(jar)));
    }

    /** A Java DB as Trivy 0.58.1 reads it (trivy-java-db schema 1) indexing the one jar's SHA-1, built an hour ago. */
    private Path javaDbFixture(String jarSha1) throws Exception {
        Path javaDb = Files.createDirectories(dir.resolve("java-db-fixture"));
        exec("sqlite3", javaDb.resolve("trivy-java.db").toString(), """
                CREATE TABLE artifacts(id INTEGER PRIMARY KEY, group_id TEXT, artifact_id TEXT);
                CREATE TABLE indices(artifact_id INTEGER, version TEXT, sha1 BLOB, archive_type TEXT,
                  foreign key (artifact_id) references artifacts(id));
                CREATE UNIQUE INDEX artifacts_idx ON artifacts(artifact_id, group_id);
                CREATE INDEX indices_artifact_idx ON indices(artifact_id);
                CREATE UNIQUE INDEX indices_sha1_idx ON indices(sha1);
                INSERT INTO artifacts VALUES (1, 'io.perfbox.fixture', 'perfbox-fixture-lib');
                INSERT INTO indices VALUES (1, '1.2.3', X'%s', 'jar');
                """.formatted(jarSha1));
        String built = Instant.now().minus(Duration.ofHours(1))
                .truncatedTo(ChronoUnit.SECONDS).toString();
        Files.writeString(javaDb.resolve("metadata.json"), "{\"Version\":1,\"NextUpdate\":\"2100-01-01T00:00:00Z\","
                + "\"UpdatedAt\":\"" + built + "\",\"DownloadedAt\":\"" + built + "\"}");
        assertThat(javaDb.resolve("trivy-java.db")).isNotEmptyFile();
        return javaDb;
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
