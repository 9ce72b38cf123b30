package io.perfbox.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * buildspecs/scanner-mirror.yml's shell, run by bash with aws, go and the built Trivy replaced by recorders: what it
 * builds and publishes, in which order, and what it refuses to publish. The real Go build's checksum is pinned from a
 * build made off AWS the same way; the real DB download needs the internet, so it is a recorder here too.
 */
class ScannerMirrorScriptTest {
    private static final Path BUILDSPEC = Path.of("../buildspecs/scanner-mirror.yml");
    /**
     * What the fake go build writes: a Trivy whose --download-db-only writes a DB built DB_UPDATED_AT, and whose
     * --download-java-db-only writes a Java DB built JAVA_DB_UPDATED_AT, each where Trivy 0.58.1 keeps it.
     */
    private static final String BUILT_TRIVY = """
            #!/usr/bin/env bash
            printf '%s\\n' "trivy $*" >> "$CALLS"
            cache=""
            for ((i = 1; i <= $#; i++)); do j=$((i + 1)); [[ "${!i}" == --cache-dir ]] && cache="${!j}"; done
            if [[ " $* " == *" --download-java-db-only "* ]]; then
              mkdir -p "$cache/java-db"
              printf 'sqlite' > "$cache/java-db/trivy-java.db"
              printf '{"Version":1,"NextUpdate":"2100-01-01T00:00:00Z","UpdatedAt":"%s","DownloadedAt":"%s"}' \\
                "$JAVA_DB_UPDATED_AT" "$JAVA_DB_UPDATED_AT" > "$cache/java-db/metadata.json"
              exit 0
            fi
            mkdir -p "$cache/db"
            printf 'bolt' > "$cache/db/trivy.db"
            printf '{"Version":2,"UpdatedAt":"%s","NextUpdate":"2100-01-01T00:00:00Z"}' "$DB_UPDATED_AT" \\
              > "$cache/db/metadata.json"
            """;

    @TempDir
    Path dir;
    private final Map<String, String> env = new HashMap<>();

    private record Run(int status, List<String> calls) {
        int indexOf(String prefix) {
            for (int i = 0; i < calls.size(); i++) {
                if (calls.get(i).startsWith(prefix)) {
                    return i;
                }
            }
            return -1;
        }
    }

    @BeforeEach
    void fakes() throws Exception {
        stub("aws", """
                if [[ "$1 $2" == "s3 cp" ]]; then
                  args=("$@"); src="${args[-2]}"; dst="${args[-1]}"
                  src="${src/s3:\\/\\/b\\//$BUCKET/}"; dst="${dst/s3:\\/\\/b\\//$BUCKET/}"
                  mkdir -p "$(dirname "$dst")"; cp "$src" "$dst"
                fi""");
        // go: `version` reports the toolchain GOTOOLCHAIN switched to; `mod download` the module and its hashes;
        // `build` records its environment and writes the built Trivy.
        Path zip = Files.writeString(dir.resolve("trivy@v0.58.1.zip"), "module zip");
        Files.createDirectories(dir.resolve("module"));
        stub("go", """
                case "$1" in
                  version) echo "go version $GOTOOLCHAIN linux/amd64" ;;
                  mod) printf '{"Dir":"%s","Zip":"%s","Sum":"h1:fake="}\\n' "$MODULE_DIR" "$MODULE_ZIP" ;;
                  build)
                    printf '%s\\n' "go-env GOTOOLCHAIN=$GOTOOLCHAIN CGO_ENABLED=$CGO_ENABLED GOOS=$GOOS GOARCH=$GOARCH GOAMD64=$GOAMD64 PWD=$PWD" >> "$CALLS"
                    args=("$@")
                    for ((i = 0; i < ${#args[@]}; i++)); do
                      [[ "${args[i]}" == -o ]] && printf '%s' "$BUILT_TRIVY" > "${args[i+1]}"
                    done ;;
                esac
                exit 0""");
        JsonNode spec = new ObjectMapper(new YAMLFactory()).readTree(BUILDSPEC.toFile());
        spec.at("/env/variables").properties().forEach(v -> env.put(v.getKey(), v.getValue().asText()));
        env.putAll(Map.of("ARTIFACT_BUCKET", "b", "WORK_DIR", dir.resolve("work").toString(),
                "CALLS", dir.resolve("calls.log").toString(), "BUCKET", dir.resolve("bucket").toString(),
                "MODULE_DIR", dir.resolve("module").toString(), "MODULE_ZIP", zip.toString(),
                "TRIVY_MODULE_H1", "h1:fake=", "TRIVY_MODULE_SHA256", sha256(zip),
                "BUILT_TRIVY", BUILT_TRIVY, "TRIVY_SHA256", sha256(BUILT_TRIVY.getBytes())));
        env.put("DB_UPDATED_AT", ago(Duration.ofHours(5)));
        env.put("JAVA_DB_UPDATED_AT", ago(Duration.ofHours(7)));
        env.put("PATH", dir.resolve("bin") + ":" + System.getenv("PATH"));
    }

    private void stub(String name, String body) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path script = bin.resolve(name);
        Files.writeString(script, "#!/usr/bin/env bash\nprintf '%s\\n' \"" + name + " $*\" >> \"$CALLS\"\n" + body + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Run run() throws Exception {
        JsonNode spec = new ObjectMapper(new YAMLFactory()).readTree(BUILDSPEC.toFile());
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", spec.at("/phases/build/commands/0").asText())
                .redirectErrorStream(true).redirectOutput(dir.resolve("output.log").toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the script finishes").isTrue();
        Path calls = dir.resolve("calls.log");
        return new Run(p.exitValue(), Files.exists(calls) ? Files.readAllLines(calls) : List.of());
    }

    private static String ago(Duration age) {
        return Instant.now().minus(age).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static String sha256(Path file) throws Exception {
        return sha256(Files.readAllBytes(file));
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private Path bucket(String key) {
        return dir.resolve("bucket").resolve(key);
    }

    private String output() throws IOException {
        return Files.readString(dir.resolve("output.log"));
    }

    @Test
    void firstRunBuildsTrivyReproduciblyWithThePinnedToolchainChecksItPublishesItThenMirrorsBothDbs() throws Exception {
        Run run = run();

        assertThat(run.status()).as(output()).isZero();
        int build = run.indexOf("go build");
        assertThat(run.calls().get(build)).isEqualTo("go build -trimpath -buildvcs=false -o " + dir.resolve("work/trivy")
                + " -ldflags -s -w -buildid= -X github.com/aquasecurity/trivy/pkg/version/app.ver=0.58.1 ./cmd/trivy");
        assertThat(run.calls()).contains("go-env GOTOOLCHAIN=go1.27.4 CGO_ENABLED=0 GOOS=linux GOARCH=amd64 GOAMD64=v1 PWD="
                + dir.resolve("module"));
        assertThat(sha256(bucket("scanner/trivy-0.58.1/trivy"))).isEqualTo(env.get("TRIVY_SHA256"));
        // The DB is fetched by the Trivy just verified.
        assertThat(run.indexOf("trivy image --cache-dir " + dir.resolve("work/trivy-cache") + " --download-db-only"))
                .isGreaterThan(build);

        JsonNode current = new ObjectMapper().readTree(bucket("scanner/db/current.json").toFile());
        String key = current.path("key").asText();
        assertThat(key).matches("scanner/db-archives/[0-9]{8}T[0-9]{6}Z/trivy-db\\.tar\\.gz");
        assertThat(current.path("sha256").asText()).isEqualTo(sha256(bucket(key)));
        assertThat(current.path("updatedAt").asText()).isEqualTo(env.get("DB_UPDATED_AT"));
        assertThat(current.path("schemaVersion").asInt()).isEqualTo(2);
        assertThat(current.path("trivyVersion").asText()).isEqualTo("0.58.1");
        assertThat(Files.readString(bucket(key).resolveSibling("metadata.json"))).contains(env.get("DB_UPDATED_AT"));
        Process list = new ProcessBuilder("tar", "-tzf", bucket(key).toString()).start();
        assertThat(new String(list.getInputStream().readAllBytes()).lines()).containsExactly("db/trivy.db", "db/metadata.json");
        // The Java DB beside it, fetched by the same Trivy, with its own checksum and build time.
        assertThat(run.indexOf("trivy image --cache-dir " + dir.resolve("work/trivy-cache") + " --download-java-db-only"))
                .isGreaterThan(build);
        JsonNode javaDb = current.path("javaDb");
        String javaKey = javaDb.path("key").asText();
        assertThat(javaKey).isEqualTo(key.replace("/trivy-db.tar.gz", "/trivy-java-db.tar.gz"));
        assertThat(javaDb.path("sha256").asText()).isEqualTo(sha256(bucket(javaKey)));
        assertThat(javaDb.path("updatedAt").asText()).isEqualTo(env.get("JAVA_DB_UPDATED_AT"));
        assertThat(javaDb.path("schemaVersion").asInt()).isEqualTo(1);
        assertThat(Files.readString(bucket(javaKey).resolveSibling("java-db-metadata.json")))
                .contains(env.get("JAVA_DB_UPDATED_AT"));
        Process javaList = new ProcessBuilder("tar", "-tzf", bucket(javaKey).toString()).start();
        assertThat(new String(javaList.getInputStream().readAllBytes()).lines())
                .containsExactly("java-db/trivy-java.db", "java-db/metadata.json");
        // current.json last: a build never reads a record whose archives are not there yet.
        List<String> uploads = run.calls().stream().filter(c -> c.startsWith("aws s3 cp") && !c.contains(" s3://b/scanner/trivy-0.58.1/trivy " + dir)).toList();
        assertThat(uploads.get(uploads.size() - 1)).endsWith(" s3://b/scanner/db/current.json");
        assertThat(uploads).filteredOn(c -> c.endsWith(".tar.gz")).hasSize(2);
        assertThat(uploads).allSatisfy(c -> assertThat(c).containsPattern(" s3://b/scanner/\\S+$"));
    }

    @Test
    void laterRunsKeepThePublishedTrivyWhileItsChecksumMatchesAndOnlyMirrorTheDb() throws Exception {
        Files.createDirectories(bucket("scanner/trivy-0.58.1"));
        Files.writeString(bucket("scanner/trivy-0.58.1/trivy"), BUILT_TRIVY);

        Run run = run();

        assertThat(run.status()).as(output()).isZero();
        assertThat(run.calls()).noneMatch(c -> c.startsWith("go "));
        assertThat(run.calls()).noneMatch(c -> c.endsWith(" s3://b/scanner/trivy-0.58.1/trivy"));
        assertThat(bucket("scanner/db/current.json")).exists();
    }

    @Test
    void publishedTrivyWithAnotherChecksumIsRebuiltNotUsed() throws Exception {
        Files.createDirectories(bucket("scanner/trivy-0.58.1"));
        Files.writeString(bucket("scanner/trivy-0.58.1/trivy"), "#!/usr/bin/env bash\necho tampered >> \"$CALLS\"\n");

        Run run = run();

        assertThat(run.status()).as(output()).isZero();
        assertThat(run.calls()).doesNotContain("tampered").anyMatch(c -> c.startsWith("go build"));
        assertThat(sha256(bucket("scanner/trivy-0.58.1/trivy"))).isEqualTo(env.get("TRIVY_SHA256"));
    }

    @Test
    void builtTrivyWhoseChecksumIsNotThePinnedOneIsNotPublishedAndTheMirrorFails() throws Exception {
        env.put("TRIVY_SHA256", "0".repeat(64));

        Run run = run();

        assertThat(run.status()).isNotZero();
        assertThat(output()).contains("the built Trivy's sha256 is " + sha256(BUILT_TRIVY.getBytes())
                + ", not the pinned " + "0".repeat(64) + ": not published");
        assertThat(dir.resolve("bucket/scanner")).doesNotExist();
        assertThat(run.calls()).noneMatch(c -> c.startsWith("trivy "));
    }

    @Test
    void moduleThatDoesNotMatchItsPinnedChecksumsIsNotBuilt() throws Exception {
        env.put("TRIVY_MODULE_SHA256", "0".repeat(64));

        Run run = run();

        assertThat(run.status()).isNotZero();
        assertThat(output()).contains("the Trivy module does not match its pinned checksums");
        assertThat(run.indexOf("go build")).isEqualTo(-1);
        assertThat(dir.resolve("bucket/scanner")).doesNotExist();
    }

    @Test
    void upstreamDbAlreadyOlderThanTheLimitIsNotPublishedAndTheMirrorFails() throws Exception {
        env.put("DB_UPDATED_AT", ago(Duration.ofHours(80)));

        Run run = run();

        assertThat(run.status()).isNotZero();
        assertThat(output()).contains("older than 72 hours: not published");
        assertThat(bucket("scanner/db/current.json")).doesNotExist();
        assertThat(dir.resolve("bucket/scanner/db-archives")).doesNotExist();
    }

    @Test
    void upstreamJavaDbAlreadyOlderThanTheLimitIsNotPublishedAndTheMirrorFails() throws Exception {
        env.put("JAVA_DB_UPDATED_AT", ago(Duration.ofHours(80)));

        Run run = run();

        assertThat(run.status()).isNotZero();
        assertThat(output()).contains("the Java DB fetched was built at " + env.get("JAVA_DB_UPDATED_AT")
                + ", older than 72 hours: not published");
        assertThat(bucket("scanner/db/current.json")).doesNotExist();
        assertThat(dir.resolve("bucket/scanner/db-archives")).doesNotExist();
    }

    @Test
    void trivyThatLeavesNoJavaDbFailsTheMirrorWithoutPublishingARecord() throws Exception {
        env.put("BUILT_TRIVY", BUILT_TRIVY.replace("printf 'sqlite' > \"$cache/java-db/trivy-java.db\"", ":"));
        env.put("TRIVY_SHA256", sha256(env.get("BUILT_TRIVY").getBytes()));

        Run run = run();

        assertThat(run.status()).isNotZero();
        assertThat(output()).contains("Trivy left no java-db/trivy-java.db and java-db/metadata.json");
        assertThat(bucket("scanner/db/current.json")).doesNotExist();
    }
}
