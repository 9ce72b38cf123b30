package io.perfbox.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The buildspec's own shell, run here by bash as CodeBuild runs it (the build commands, then the finally block), with
 * the commands it drives replaced by recorders: aws (over a directory standing for the bucket, with the scanner
 * mirror in it), docker, iptables and the mirrored Trivy. What a CodeBuild host
 * does with those calls needs a real account; the order and the arguments of the calls are what is checked here.
 */
class BuildspecScriptTest {
    /** The image id the docker stub reports for the built image ({{.Id}}). */
    private static final String IMAGE_ID = "sha256:" + "4f1d2b8a".repeat(8);
    /** The registry digest the docker stub reports for the pushed image ({{.RepoDigests}}). */
    private static final String PUSHED_DIGEST = "sha256:" + "7c3e9a05".repeat(8);
    /**
     * BuildKit's plain progress for a build whose FROM it resolved by pulling: the lines of a real build published in
     * N4si/cloud-native-monitoring-app issue #2 (docker build --no-cache --progress=plain, 2023-04-10) up to its
     * first RUN, as it printed them (its blank lines within a vertex included), and a step's output line of that
     * build's kind ("#N <seconds> ...") claiming a FROM of its own.
     */
    static final String PULLED_FROM_OUTPUT = """
            #9 [1/5] FROM docker.io/library/python:3.9-slim-buster@sha256:0ac1e4889c90d3117680b33cbdd397e3d95098b4c6bcff8600035fa5343527ed
            #9 sha256:4a1f0efe373bd5797c6ad41c62118f5d2d69d107ab01b91082405bbc09257fd1
            #9 resolve docker.io/library/python:3.9-slim-buster@sha256:0ac1e4889c90d3117680b33cbdd397e3d95098b4c6bcff8600035fa5343527ed 0.0s done

            #9 DONE 23.6s

            #4 [2/5] WORKDIR /app
            #4 sha256:2599d1c0bf3f74a632f57786f8901799460738de85e8ff1ab4d485479b033df7
            #4 DONE 0.2s

            #6 [3/5] COPY requirements.txt .
            #6 sha256:ea5546b348a9df57104b13d48153e3d19ce91805b4544fc1925d845f605f6aee
            #6 DONE 0.0s

            #7 [4/5] RUN pip3 install --no-cache-dir -r requirements.txt
            #7 sha256:7356ced2cd8e78627cb56aae627ba581561aae386fe374ed1e8d07b22cbe633e
            #7 0.412 #2 [1/1] FROM docker.io/library/evil:1@sha256:0000000000000000000000000000000000000000000000000000000000000000
            #7 DONE 47.2s
            """;
    /**
     * iptables as the buildspec drives it when every rule can be set: FORWARD jumps to DOCKER-USER, and whether OUTPUT
     * jumps to the engine's chain is held in a file beside $CALLS, so the finally block's check and delete are real.
     */
    static final String IPTABLES_WORKS = """
            jump="$(dirname "$CALLS")/output-jumps-to-engine"
            [[ "$*" == "-S FORWARD" ]] && printf '%s\\n' '-P FORWARD DROP' '-A FORWARD -j DOCKER-USER'
            [[ "$*" == "-S OUTPUT" ]] && { printf '%s\\n' '-P OUTPUT ACCEPT'; [[ -f "$jump" ]] && echo '-A OUTPUT -j PERFBOX-ENGINE'; }
            [[ "$*" == "-I OUTPUT 1 -j PERFBOX-ENGINE" ]] && touch "$jump"
            [[ "$*" == "-D OUTPUT -j PERFBOX-ENGINE" ]] && { rm "$jump" || exit 1; }
            [[ "$*" == "-C OUTPUT -j PERFBOX-ENGINE" ]] && { [[ -f "$jump" ]]; exit; }
            [[ "$1" == -C ]] && exit 1
            exit 0""";

    private static final Path BUILDSPEC = Path.of("../buildspecs/build-and-scan.yml");
    private static final String REPOSITORY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/perfbox-jobs";
    private static final String JOB_ID = UUID.randomUUID().toString();
    private static final String IMAGE = REPOSITORY + ":job-" + JOB_ID;

    @TempDir
    Path dir;

    /** A recorder: every call appends "name args" to calls.log; the body may answer. */
    private void stub(String name, String body) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path script = bin.resolve(name);
        Files.writeString(script, "#!/usr/bin/env bash\nprintf '%s\\n' \"" + name + " $*\" >> \"$CALLS\"\n" + body + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private record Run(int buildStatus, int finallyStatus, List<String> calls, JsonNode outcome) {
        int indexOf(String prefix) {
            for (int i = 0; i < calls.size(); i++) {
                if (calls.get(i).startsWith(prefix)) {
                    return i;
                }
            }
            return -1;
        }
    }

    /**
     * The fake Trivy: records its calls; a scan without --skip-db-update or --skip-java-db-update (one that would fetch
     * a DB), or without either DB in its cache, fails.
     */
    private static final String FAKE_TRIVY = """
            #!/usr/bin/env bash
            printf '%s\\n' "trivy $*" >> "$CALLS"
            [[ "$1" == --version ]] && { echo 'Version: 0.58.1'; exit 0; }
            if [[ "$1" == config ]]; then
              # The Dockerfile checks: only the embedded ones (--skip-check-update), on a directory holding the
              # Dockerfile; the report is $TRIVY_CONFIG_REPORT's, or one without misconfigurations.
              [[ " $* " == *" --skip-check-update "* ]] || { printf '%s\\n' "trivy would download checks" >> "$CALLS"; exit 1; }
              [[ -s "${!#}/Dockerfile" ]] || { echo "no Dockerfile in ${!#}" >&2; exit 1; }
              for ((i = 1; i <= $#; i++)); do
                j=$((i + 1))
                if [[ "${!i}" == --output ]]; then
                  if [[ -n "${TRIVY_CONFIG_REPORT:-}" ]]; then printf '%s' "$TRIVY_CONFIG_REPORT" > "${!j}"
                  else echo '{"SchemaVersion":2,"Results":[{"Target":"Dockerfile","Misconfigurations":[]}]}' > "${!j}"; fi
                fi
              done
              exit "${TRIVY_CONFIG_EXIT:-0}"
            fi
            cache=""; skip=false; skip_java=false
            for ((i = 1; i <= $#; i++)); do
              j=$((i + 1))
              [[ "${!i}" == --cache-dir ]] && cache="${!j}"
              [[ "${!i}" == --skip-db-update ]] && skip=true
              [[ "${!i}" == --skip-java-db-update ]] && skip_java=true
            done
            $skip || { printf '%s\\n' "trivy would download the DB" >> "$CALLS"; exit 1; }
            $skip_java || { printf '%s\\n' "trivy would download the Java DB" >> "$CALLS"; exit 1; }
            [[ -s "$cache/db/trivy.db" && -s "$cache/db/metadata.json" ]] || { echo "no DB in $cache" >&2; exit 1; }
            [[ -s "$cache/java-db/trivy-java.db" && -s "$cache/java-db/metadata.json" ]] \\
              || { echo "no Java DB in $cache" >&2; exit 1; }
            for ((i = 1; i <= $#; i++)); do
              [[ "${!i}" == --output ]] && { j=$((i + 1)); echo '{"Results":[]}' > "${!j}"; }
            done
            exit 0
            """;
    private static final String DB_ARCHIVE_KEY = "scanner/db-archives/20261201T000000Z/trivy-db.tar.gz";
    private static final String JAVA_DB_ARCHIVE_KEY = "scanner/db-archives/20261201T000000Z/trivy-java-db.tar.gz";

    /** The build's DOCKER_HUB_CACHE for the next run ("" off). */
    private String dockerHubCache = "";
    /** What the docker stub's build prints (BuildKit's plain progress), and the base images' ids the engine holds. */
    private String buildOutput = "";
    private String baseImageIds = "";

    /** The build's MISCONFIG_THRESHOLD for the next run (null: the buildspec's default). */
    private String misconfigThreshold;

    /** What the fake `trivy config` reports for the next run (null: no misconfigurations), and its exit status. */
    private String trivyConfigReport;
    private int trivyConfigExit;

    /** A `trivy config` report with DS002 (HIGH) and DS026 (LOW) failed, as trivy 0.58.1 reports a Dockerfile without USER. */
    private static final String RUNS_AS_ROOT = """
            {"SchemaVersion":2,"ArtifactName":"dockerfile-checks","ArtifactType":"filesystem","Results":[
             {"Target":"Dockerfile","Class":"config","Type":"dockerfile","MisconfSummary":{"Successes":26,"Failures":2},
              "Misconfigurations":[
               {"ID":"DS002","Title":"Image user should not be 'root'","Severity":"HIGH","Status":"FAIL"},
               {"ID":"DS026","Title":"No HEALTHCHECK defined","Severity":"LOW","Status":"FAIL"}]}]}""";

    /** An iptables of the test's own for the next run, or null for the recorder that answers as the rules hold. */
    private String iptablesStub;

    /** The TRIVY_SHA256 a run verifies against: the fake Trivy's, as the mirror published it. */
    private String pinnedTrivySha256;

    /** The fake bucket's scanner mirror: the fake Trivy, and a DB and a Java DB of the given age named by current.json. */
    private void mirror(Duration dbAge) throws Exception {
        mirror(dbAge, dbAge);
    }

    private void mirror(Duration dbAge, Duration javaDbAge) throws Exception {
        Path published = Files.createDirectories(dir.resolve("bucket/scanner/trivy-0.58.1")).resolve("trivy");
        Files.writeString(published, FAKE_TRIVY);
        pinnedTrivySha256 = sha256(published);
        Path db = Files.createDirectories(dir.resolve("db-source/db"));
        Files.writeString(db.resolve("trivy.db"), "bolt");
        Files.writeString(db.resolve("metadata.json"), "{\"Version\":2,\"UpdatedAt\":\""
                + Instant.now().minus(dbAge).truncatedTo(ChronoUnit.SECONDS)
                + "\",\"NextUpdate\":\"2100-01-01T00:00:00Z\"}");
        Path archive = dir.resolve("bucket/" + DB_ARCHIVE_KEY);
        Files.createDirectories(archive.getParent());
        exec("tar", "-czf", archive.toString(), "-C", dir.resolve("db-source").toString(), "db/trivy.db", "db/metadata.json");
        Path javaDb = Files.createDirectories(dir.resolve("db-source/java-db"));
        Files.writeString(javaDb.resolve("trivy-java.db"), "sqlite");
        Files.writeString(javaDb.resolve("metadata.json"), "{\"Version\":1,\"UpdatedAt\":\""
                + Instant.now().minus(javaDbAge).truncatedTo(ChronoUnit.SECONDS)
                + "\",\"NextUpdate\":\"2100-01-01T00:00:00Z\",\"DownloadedAt\":\"0001-01-01T00:00:00Z\"}");
        Path javaArchive = dir.resolve("bucket/" + JAVA_DB_ARCHIVE_KEY);
        exec("tar", "-czf", javaArchive.toString(), "-C", dir.resolve("db-source").toString(), "java-db/trivy-java.db",
                "java-db/metadata.json");
        Files.writeString(Files.createDirectories(dir.resolve("bucket/scanner/db")).resolve("current.json"),
                "{\"key\":\"" + DB_ARCHIVE_KEY + "\",\"sha256\":\"" + sha256(archive) + "\",\"javaDb\":{\"key\":\""
                        + JAVA_DB_ARCHIVE_KEY + "\",\"sha256\":\"" + sha256(javaArchive) + "\"}}");
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(file)));
    }

    private void exec(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(String.join(" ", command) + ": " + out).isZero();
    }

    /** Runs the build and then the finally block on the given Dockerfile; docker build exits with buildExit. */
    private Run run(String dockerfile, int buildExit, boolean iptablesWorks) throws Exception {
        if (pinnedTrivySha256 == null) {
            mirror(Duration.ofHours(6));
        }
        Path bucket = Files.createDirectories(dir.resolve("bucket/jobs/" + JOB_ID));
        Files.writeString(bucket.resolve("Dockerfile"), dockerfile);
        // aws s3 cp SRC DST: s3://b/KEY is dir/bucket/KEY.
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
                  build) cat > "$(dirname "$CALLS")/built-dockerfile"; cat "$BUILD_OUTPUT"; exit "$BUILD_EXIT" ;;
                  image)
                    if [[ "$2" == inspect ]]; then
                      ref="${@: -1}"
                      if [[ "$*" == *RepoDigests* ]]; then
                        [[ "$ref" == "$IMAGE" ]] && printf '%s\n' "$PUSHED_REPO_DIGESTS"
                      elif [[ "$*" == *.Id* ]]; then
                        # The built image's id; a base image's only when the engine holds it (BASE_IMAGE_IDS).
                        if [[ "$ref" == "$IMAGE" ]]; then echo "$IMAGE_ID"
                        else grep -m 1 "^$ref " <<< "$BASE_IMAGE_IDS" | cut -d ' ' -f 2 | grep . || exit 1; fi
                      else
                        echo 1000
                      fi
                    fi ;;
                  login) cat > /dev/null ;;
                esac
                exit 0""");
        stub("iptables", iptablesStub != null ? iptablesStub : iptablesWorks ? IPTABLES_WORKS : "exit 4");
        // The Dockerfile check's jar, as the stack publishes it: the workflow functions' jar runtimes/aws shaded.
        Path jar = SynthesizedStack.workflowJar();
        Path published = Files.createDirectories(dir.resolve("bucket/assets")).resolve("workflow.jar");
        if (!Files.exists(published)) {
            Files.copy(jar, published);
        }
        Path cache = dir.resolve("cache");

        JsonNode spec = new ObjectMapper(new YAMLFactory()).readTree(BUILDSPEC.toFile());
        Map<String, String> env = new HashMap<>();
        spec.at("/env/variables").properties().forEach(v -> env.put(v.getKey(), v.getValue().asText()));
        env.putAll(Map.of("JOB_ID", JOB_ID, "ARTIFACT_BUCKET", "b", "IMAGE_REPOSITORY_URI", REPOSITORY,
                "PERFBOX_CACHE", cache.toString(), "WORK_DIR", dir.resolve("work").toString(),
                "CALLS", dir.resolve("calls.log").toString(), "BUCKET", dir.resolve("bucket").toString(),
                "BUILD_EXIT", Integer.toString(buildExit), "TRIVY_SHA256", pinnedTrivySha256));
        env.put("DOCKERFILE_CHECK_JAR", "s3://b/assets/workflow.jar");
        env.put("IMAGE_ID", IMAGE_ID);
        Path output = dir.resolve("build-output.txt");
        Files.writeString(output, buildOutput);
        env.put("BUILD_OUTPUT", output.toString());
        env.put("IMAGE", IMAGE);
        env.put("PUSHED_REPO_DIGESTS", REPOSITORY + "@" + PUSHED_DIGEST);
        env.put("BASE_IMAGE_IDS", baseImageIds);
        env.put("BASE_IMAGES", ContextKey.BASE_IMAGES.defaultValue());
        env.put("DOCKER_HUB_CACHE", dockerHubCache);
        if (misconfigThreshold != null) {
            env.put("MISCONFIG_THRESHOLD", misconfigThreshold);
        }
        if (trivyConfigReport != null) {
            env.put("TRIVY_CONFIG_REPORT", trivyConfigReport);
        }
        env.put("TRIVY_CONFIG_EXIT", Integer.toString(trivyConfigExit));
        // CodeBuild's runtime-versions puts Corretto 21 first on PATH; here, this JVM's java.
        env.put("PATH", dir.resolve("bin") + ":" + Path.of(System.getProperty("java.home"), "bin") + ":"
                + System.getenv("PATH"));
        int build = bash(spec.at("/phases/build/commands/0").asText(), env);
        int after = bash(spec.at("/phases/build/finally/0").asText(), env);
        List<String> calls = Files.readAllLines(dir.resolve("calls.log"));
        Path outcome = dir.resolve("bucket/jobs/" + JOB_ID + "/build-outcome.json");
        return new Run(build, after, calls, Files.exists(outcome) ? new ObjectMapper().readTree(outcome.toFile()) : null);
    }

    private int bash(String script, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true)
                .redirectOutput(dir.resolve("output.log").toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the script finishes").isTrue();
        return p.exitValue();
    }

    @Test
    void buildNetworkIsConfinedBeforeTheBuildAndThePushCredentialIsFetchedOnlyAfterTheScan() throws Exception {
        Run run = run("FROM debian:bookworm\nRUN echo hello\n", 0, true);

        assertThat(run.buildStatus()).isZero();
        assertThat(run.outcome().path("outcome").asText()).isEqualTo("BUILT");
        assertThat(run.outcome().path("pushed").asBoolean()).isTrue();
        // For the job's receipt: the built image's id as the engine reports it, and the mirrored DB's time.
        assertThat(run.outcome().path("imageId").asText()).isEqualTo(IMAGE_ID);
        assertThat(run.outcome().path("trivyDbUpdatedAt").asText()).isNotBlank();
        int build = run.indexOf("docker build");
        assertThat(build).isPositive();
        for (String cidr : List.of("169.254.0.0/16", "127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
                "100.64.0.0/10")) {
            int drop = run.calls().indexOf("iptables -A DOCKER-USER -d " + cidr + " -j DROP");
            assertThat(drop).as(cidr).isPositive().isLessThan(build);
        }
        // Answers to what the steps asked for come back; then the drops; nothing else is refused.
        assertThat(run.calls().indexOf("iptables -A DOCKER-USER -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN"))
                .isLessThan(run.calls().indexOf("iptables -A DOCKER-USER -d 169.254.0.0/16 -j DROP"));
        assertThat(run.calls().indexOf("iptables -A DOCKER-USER -j RETURN")).isLessThan(build);
        int login = run.indexOf("docker login");
        assertThat(login).isGreaterThan(run.indexOf("trivy image --cache-dir")).isGreaterThan(build);
        assertThat(run.indexOf("docker push")).isGreaterThan(login);
    }

    @Test
    void trivysDockerfileChecksRunOnTheCustomersDockerfileBeforeTheImageScanAndTheirReportIsUploaded() throws Exception {
        trivyConfigReport = RUNS_AS_ROOT;
        String dockerfile = "FROM debian:bookworm\nRUN echo hello\n";
        Run run = run(dockerfile, 0, true);

        int checks = run.indexOf("trivy config");
        assertThat(checks).isPositive().isLessThan(run.indexOf("trivy image --cache-dir"))
                .isGreaterThan(run.indexOf("docker build"));
        assertThat(run.calls().get(checks)).contains("--misconfig-scanners dockerfile", "--skip-check-update",
                "--format json", "--cache-dir " + dir.resolve("work/trivy-cache"));
        assertThat(dir.resolve("work/dockerfile-checks/Dockerfile")).hasContent(dockerfile);
        // Warnings only by default (MISCONFIG_THRESHOLD NONE): a HIGH misconfiguration holds nothing back.
        assertThat(run.outcome().path("outcome").asText()).isEqualTo("BUILT");
        assertThat(run.outcome().path("pushed").asBoolean()).isTrue();
        assertThat(dir.resolve("bucket/jobs/" + JOB_ID + "/trivy-misconfig.json")).hasContent(RUNS_AS_ROOT);
        assertThat(run.finallyStatus()).isZero();
    }

    @Test
    void aMisconfigurationAtTheThresholdHoldsTheImageBackAndOneBelowItDoesNot() throws Exception {
        trivyConfigReport = RUNS_AS_ROOT;
        misconfigThreshold = "HIGH";
        Run held = run("FROM debian:bookworm\n", 0, true);

        assertThat(held.buildStatus()).isZero();
        assertThat(held.outcome().path("outcome").asText()).isEqualTo("BUILT");
        assertThat(held.outcome().path("pushed").asBoolean()).isFalse();
        assertThat(held.outcome().path("reason").asText()).isEqualTo("misconfigurations at or above HIGH");
        assertThat(held.indexOf("docker push")).isEqualTo(-1);
        assertThat(dir.resolve("bucket/jobs/" + JOB_ID + "/trivy-misconfig.json")).hasContent(RUNS_AS_ROOT);

        Files.delete(dir.resolve("calls.log"));
        misconfigThreshold = "CRITICAL";
        Run pushed = run("FROM debian:bookworm\n", 0, true);
        assertThat(pushed.outcome().path("pushed").asBoolean()).isTrue();
        assertThat(pushed.indexOf("docker push")).isPositive();
    }

    @Test
    void dockerfileChecksThatFailAreAScanFailureAndTheImageIsNeitherScannedNorPushed() throws Exception {
        trivyConfigExit = 1;
        Run run = run("FROM debian:bookworm\n", 0, true);

        assertThat(run.buildStatus()).isZero();
        assertThat(run.outcome().path("outcome").asText()).isEqualTo("SCAN_FAILED");
        assertThat(run.outcome().path("reason").asText()).isEqualTo("trivy config failed");
        assertThat(run.indexOf("trivy image")).isEqualTo(-1);
        assertThat(run.indexOf("docker push")).isEqualTo(-1);
    }

    @Test
    void aMisconfigurationThresholdThatIsNoSeverityIsRefusedAsPerfboxsOwnFailure() throws Exception {
        misconfigThreshold = "root";
        Run run = run("FROM debian:bookworm\n", 0, true);

        assertThat(run.buildStatus()).isEqualTo(2);
        assertThat(run.indexOf("docker build")).isEqualTo(-1);
    }

    @Test
    void engineCannotReachTheCredentialsEndpointOrMetadataWhileTheBuildRunsAndTheFinallyBlockLiftsThatBeforeUploading()
            throws Exception {
        Run run = run("FROM debian:bookworm\nRUN echo hello\n", 0, true);

        assertThat(run.outcome().path("pushed").asBoolean()).isTrue();
        int build = run.indexOf("docker build");
        int jump = run.calls().indexOf("iptables -I OUTPUT 1 -j PERFBOX-ENGINE");
        int reject = run.calls().indexOf("iptables -A PERFBOX-ENGINE -d 169.254.0.0/16 -j REJECT");
        int lifted = run.calls().indexOf("iptables -D OUTPUT -j PERFBOX-ENGINE");
        assertThat(jump).as("OUTPUT jumps to the engine's chain before the build").isPositive().isLessThan(build);
        assertThat(reject).as("link-local addresses refused before the build").isPositive().isLessThan(build);
        assertThat(lifted).as("lifted, after the push").isGreaterThan(run.indexOf("docker push"));
        // Every call that needs the build role's credentials is made before the block or after it is lifted: the
        // registry token first, then docker login from it (no call to the credentials endpoint) for the push.
        assertThat(run.indexOf("aws ecr get-login-password")).isLessThan(jump);
        for (int i = jump; i < lifted; i++) {
            assertThat(run.calls().get(i)).as("a call while the engine is confined").doesNotStartWith("aws ");
        }
        assertThat(run.indexOf("aws s3 cp --only-show-errors --content-type")).isGreaterThan(lifted);
        assertThat(run.finallyStatus()).isZero();
    }

    @Test
    void engineConfinementThatDoesNotHoldFailsAsPerfboxsOwnWithoutBuilding() throws Exception {
        // The jump was inserted, but another rule is first in OUTPUT: the block would not hold.
        iptablesStub = """
                [[ "$*" == "-S FORWARD" ]] && printf '%s\\n' '-P FORWARD DROP' '-A FORWARD -j DOCKER-USER'
                [[ "$*" == "-S OUTPUT" ]] && printf '%s\\n' '-P OUTPUT ACCEPT' '-A OUTPUT -j SOMETHING-ELSE'
                [[ "$1" == -C ]] && exit 1
                exit 0""";
        Run run = run("FROM debian:bookworm\n", 0, true);

        assertThat(run.buildStatus()).isEqualTo(6);
        assertThat(run.indexOf("docker build")).isEqualTo(-1);
    }

    /**
     * Every engine-side fetch perfbox does not allow, in the forms a Dockerfile can write it: the build ends
     * INVALID_DOCKERFILE with the policy's reason (the local runtime's), and the engine never sees the Dockerfile.
     * The addresses are only written into Dockerfiles: nothing is sent anywhere.
     */
    @Test
    void engineSideFetchesThePolicyDoesNotAllowAreRefusedBeforeTheEngineSeesTheDockerfile() throws Exception {
        Map<String, String> refused = new LinkedHashMap<>();
        refused.put("FROM debian:bookworm\nADD http://169.254.170.2/v2/credentials/x /c\n", "ADD of a URL");
        refused.put("FROM debian:bookworm\nADD http://169.254.169.254/latest/meta-data/ /m\n", "ADD of a URL");
        refused.put("FROM 10.0.0.5:5000/img\n", "names a registry");
        refused.put("FROM --platform=linux/amd64 10.0.0.5:5000/img AS base\nRUN true\n", "names a registry");
        refused.put("FROM debian:bookworm\nADD http://2852039166/latest/meta-data/ /m\n", "ADD of a URL");
        refused.put("FROM debian:bookworm\nADD http://0xa9.0xfe.0xa9.0xfe/latest/ /m\n", "ADD of a URL");
        refused.put("FROM debian:bookworm\nADD http://[::ffff:169.254.169.254]/latest/ /m\n", "ADD of a URL");
        refused.put("FROM 2852039166:80/img\n", "names a registry");
        refused.put("FROM [::ffff:a9fe:a9fe]:5000/img\n", "not an image reference");
        refused.put("FROM debian:bookworm\nADD https://files.example/tool.tar.gz /opt/\n", "ADD of a URL");
        refused.put("FROM debian:bookworm\nADD --checksum=sha256:" + "0".repeat(64)
                + " http://169.254.170.2/v2/credentials/x /c\n", "ADD of a URL");
        refused.put("FROM debian:bookworm\nADD [\"http://169.254.170.2/v2/credentials/x\", \"/c\"]\n", "ADD of a URL");
        refused.put("FROM debian:bookworm\nADD git@git.example:team/repo.git /src\n", "ADD of a URL");
        refused.put("FROM debian:bookworm\nADD https://git.example/team/repo.git#main /src\n", "ADD of a URL");
        refused.put("FROM debian:bookworm\nCOPY --from=10.0.0.5:5000/img /x /x\n", "names a registry");
        refused.put("FROM debian:bookworm\nCOPY --from=registry.example/team/img:1 /x /x\n", "names a registry");
        refused.put("FROM debian:bookworm\nRUN --mount=type=bind,from=10.0.0.5:5000/img,target=/m true\n",
                "names a registry");
        refused.put("FROM debian:bookworm\nONBUILD ADD http://169.254.170.2/v2/credentials/x /c\n", "ADD of a URL");
        refused.put("FROM debian:bookworm\nONBUILD COPY --from=10.0.0.5:5000/img /x /x\n", "names a registry");
        refused.put("ARG H=169.254.170.2\nFROM debian:bookworm\nARG H\nADD http://${H}/v2/credentials/x /c\n",
                "ADD of a URL");
        refused.put("FROM debian:bookworm\nARG U=http://169.254.170.2/v2/credentials/x\nADD $U /c\n", "variable");
        refused.put("ARG IMG=10.0.0.5:5000/img\nFROM $IMG\n", "names a registry");
        refused.put("FROM debian:bookworm\nadd http://169.254.170.2/v2/credentials/x /c\n", "ADD of a URL");
        refused.put("from 10.0.0.5:5000/img\n", "names a registry");
        refused.put("FROM debian:bookworm\nADD \\\n  http://169.254.170.2/v2/credentials/x \\\n  /c\n", "ADD of a URL");
        refused.put("FROM 10.0.0.5:5000/\\\nimg\n", "names a registry");
        refused.put("# escape=`\nFROM debian:bookworm\nADD `\nhttp://169.254.170.2/v2/credentials/x /c\n", "ADD of a URL");
        refused.put("FROM debian:bookworm\nCOPY --from=docker.io/library/debian:bookworm /x /x\n", "names a registry");
        refused.put("FROM quay.example/team/img:1\n", "names a registry");
        for (Map.Entry<String, String> c : refused.entrySet()) {
            Files.deleteIfExists(dir.resolve("calls.log"));
            Run run = run(c.getKey(), 0, true);
            assertThat(run.buildStatus()).as(c.getKey()).isZero();
            assertThat(run.outcome().path("outcome").asText()).as(c.getKey()).isEqualTo("INVALID_DOCKERFILE");
            assertThat(run.outcome().path("reason").asText()).as(c.getKey()).contains(c.getValue());
            assertThat(run.indexOf("docker build")).as(c.getKey()).isEqualTo(-1);
            assertThat(run.indexOf("aws ecr get-login-password")).as(c.getKey()).isEqualTo(-1);
            assertThat(Files.readString(dir.resolve("bucket/jobs/" + JOB_ID + "/build.log")))
                    .as("the customer reads why in the build log").contains("the Dockerfile is refused: line ");
        }
    }

    @Test
    void baseImagesThePolicyAllowsAndTheDockerfilesOwnStagesStillBuild() throws Exception {
        for (String dockerfile : List.of(
                "FROM debian:bookworm\nRUN echo hello\n",
                "from debian\nCOPY --from=debian:bookworm-slim /etc/os-release /x\n",
                "FROM debian:bookworm AS base\nFROM base\nCOPY --from=base /etc/os-release /x\n",
                "FROM debian:bookworm\nRUN --mount=type=bind,from=alpine:3,target=/m true\n",
                "ARG IMG=python:3.12-slim\nFROM $IMG\n",
                "FROM scratch\nCOPY --from=0 /x /x\n",
                "FROM debian:bookworm\nADD --chmod=644 local.txt /x\n")) {
            Files.deleteIfExists(dir.resolve("calls.log"));
            Run run = run(dockerfile, 0, true);
            assertThat(run.outcome().path("outcome").asText()).as(dockerfile).isEqualTo("BUILT");
            assertThat(run.indexOf("docker build")).as(dockerfile).isPositive();
        }
    }

    @Test
    void withTheDockerHubCacheAllowedDockerHubFromsArePulledThroughItLoggedInAndTheRestAsWritten() throws Exception {
        dockerHubCache = REPOSITORY.substring(0, REPOSITORY.indexOf('/')) + "/docker-hub";
        Run run = run("FROM debian:bookworm AS base\nFROM base\nfrom python:3.12-slim\nCOPY --from=base /x /x\n", 0, true);

        assertThat(run.outcome().path("outcome").asText()).isEqualTo("BUILT");
        assertThat(Files.readString(dir.resolve("built-dockerfile"))).isEqualTo("FROM " + dockerHubCache
                + "/library/debian:bookworm AS base\nFROM base\nfrom " + dockerHubCache + "/library/python:3.12-slim\n"
                + "COPY --from=base /x /x\n");
        int login = run.indexOf("docker login");
        assertThat(login).as("logged in to pull through the cache").isPositive().isLessThan(run.indexOf("docker build"))
                .isGreaterThan(run.calls().indexOf("iptables -I OUTPUT 1 -j PERFBOX-ENGINE"));

        // The policy reads the Dockerfile as written: the cache's registry itself is not a base.
        Files.deleteIfExists(dir.resolve("calls.log"));
        Run refused = run("FROM " + REPOSITORY + ":job-" + UUID.randomUUID() + "\n", 0, true);
        assertThat(refused.outcome().path("outcome").asText()).isEqualTo("INVALID_DOCKERFILE");
        assertThat(refused.indexOf("docker login")).isEqualTo(-1);
    }

    @Test
    void withoutTheCacheTheDockerfileIsBuiltAsWrittenAndNoLoginPrecedesTheBuild() throws Exception {
        Run run = run("FROM debian:bookworm\n", 0, true);

        assertThat(Files.readString(dir.resolve("built-dockerfile"))).isEqualTo("FROM debian:bookworm\n");
        assertThat(run.indexOf("docker login")).isGreaterThan(run.indexOf("trivy image --cache-dir"));
    }

    @Test
    void dockerfileCheckThatCannotRunFailsAsPerfboxsOwnWithoutBuilding() throws Exception {
        stub("java", "exit 127");
        Run run = run("FROM debian:bookworm\n", 0, true);

        assertThat(run.buildStatus()).as("perfbox's failure, not the customer's").isEqualTo(3);
        assertThat(run.indexOf("docker build")).isEqualTo(-1);
    }

    @Test
    void failedBuildStillLeavesNoImageNoBuildCacheAndNoRegistryLogin() throws Exception {
        Run run = run("FROM debian:bookworm\nRUN false\n", 1, true);

        assertThat(run.buildStatus()).isZero();
        assertThat(run.outcome().path("outcome").asText()).isEqualTo("BUILD_FAILED");
        assertThat(run.indexOf("docker login")).as("no registry login for a failed build").isEqualTo(-1);
        int removed = run.calls().indexOf("docker image rm --force " + IMAGE);
        assertThat(removed).isGreaterThan(run.indexOf("docker build"));
        assertThat(run.calls().indexOf("docker system prune --all --force")).isGreaterThan(removed);
        assertThat(run.calls()).contains("docker logout 123456789012.dkr.ecr.eu-west-1.amazonaws.com");
        assertThat(run.finallyStatus()).isZero();
    }

    @Test
    void pushedBuildsOutcomeNamesTheBaseImagesTheEngineResolvedAndTheImagesRegistryDigestForTheReceipt() throws Exception {
        buildOutput = PULLED_FROM_OUTPUT;
        Run run = run("FROM python:3.9-slim-buster\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip3 install\n", 0, true);

        assertThat(run.outcome().path("outcome").asText()).isEqualTo("BUILT");
        assertThat(run.outcome().path("pushed").asBoolean()).isTrue();
        assertThat(run.outcome().path("imageId").asText()).isEqualTo(IMAGE_ID);
        assertThat(run.outcome().path("imageDigest").asText()).isEqualTo(PUSHED_DIGEST);
        assertThat(run.outcome().path("baseImages")).as("the vertex's FROM only, never a step's output")
                .isEqualTo(new ObjectMapper().readTree("""
                        [{"name": "docker.io/library/python:3.9-slim-buster",
                          "digest": "sha256:0ac1e4889c90d3117680b33cbdd397e3d95098b4c6bcff8600035fa5343527ed"}]"""));
    }

    /**
     * BuildKit's plain progress for a FROM the engine already held (so not resolved by a pull: no digest), as
     * adapters/docker's capture of multistage-run shows it (Docker 20.10): the first stage's FROM vertex and its lines.
     */
    static final String HELD_FROM_OUTPUT = """
            #4 [builder 1/3] FROM docker.io/library/debian:bookworm
            #4 sha256:12fbe2e882a41079e3d8907aef8b4cdeeecc5239506c91c1d3b441d9a97af0aa
            #4 CACHED
            """;

    @Test
    void baseImageTheEngineDidNotResolveByDigestIsNamedByTheEnginesImageId() throws Exception {
        buildOutput = HELD_FROM_OUTPUT;
        String debianId = "sha256:" + "5e2a0c7d".repeat(8);
        baseImageIds = "docker.io/library/debian:bookworm " + debianId;
        Run run = run("FROM debian:bookworm AS builder\nRUN true\nFROM debian:bookworm\n", 0, true);

        assertThat(run.outcome().path("baseImages")).isEqualTo(new ObjectMapper().readTree("""
                [{"name": "docker.io/library/debian:bookworm", "digest": "%s"}]""".formatted(debianId)));
    }

    @Test
    void baseImageOfNoKnownDigestIsNamedAlone() throws Exception {
        buildOutput = HELD_FROM_OUTPUT;
        Run run = run("FROM debian:bookworm\n", 0, true);

        assertThat(run.outcome().path("baseImages")).isEqualTo(new ObjectMapper().readTree("""
                [{"name": "docker.io/library/debian:bookworm"}]"""));
        assertThat(run.outcome().path("outcome").asText()).isEqualTo("BUILT");
    }

    @Test
    void failedBuildsOutcomeHasNeitherARegistryDigestNorBaseImages() throws Exception {
        buildOutput = PULLED_FROM_OUTPUT;
        Run run = run("FROM python:3.9-slim-buster\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip3 install\n", 1, true);

        assertThat(run.outcome().path("outcome").asText()).isEqualTo("BUILD_FAILED");
        assertThat(run.outcome().has("imageDigest")).isFalse();
        assertThat(run.outcome().has("baseImages")).as("not built: nothing resolved for a receipt").isFalse();
    }

    @Test
    void successfulBuildIsRemovedFromTheBuildHostAfterThePush() throws Exception {
        Run run = run("FROM debian:bookworm\n", 0, true);

        assertThat(run.calls().indexOf("docker image rm --force " + IMAGE)).isGreaterThan(run.indexOf("docker push"));
        assertThat(run.calls()).contains("docker system prune --all --force");
    }

    @Test
    void runOnTheHostNetworkOrInsecureIsRefusedBeforeAnythingIsBuiltEvenAcrossContinuationLines() throws Exception {
        for (String dockerfile : List.of(
                "FROM debian:bookworm\nRUN --network=host curl http://169.254.170.2/\n",
                "FROM debian:bookworm\nRUN --netw\\\nork=host true\n",
                "# escape=`\nFROM debian:bookworm\nRUN --secur`\nity=insecure true\n",
                "FROM debian:bookworm\nRUN --NETWORK = host true\n")) {
            Files.deleteIfExists(dir.resolve("calls.log"));
            Run run = run(dockerfile, 0, true);
            assertThat(run.buildStatus()).as(dockerfile).isZero();
            assertThat(run.outcome().path("outcome").asText()).as(dockerfile).isEqualTo("BUILD_FAILED");
            assertThat(run.outcome().path("reason").asText()).contains("RUN --network or RUN --security");
            assertThat(run.indexOf("docker build")).as(dockerfile).isEqualTo(-1);
        }
    }

    @Test
    void onlyDockersOwnDockerfileFrontendMayBeNamed() throws Exception {
        Run allowed = run("# syntax=docker/dockerfile:1.7\nFROM debian:bookworm\n", 0, true);
        assertThat(allowed.outcome().path("outcome").asText()).isEqualTo("BUILT");

        Files.deleteIfExists(dir.resolve("calls.log"));
        Run refused = run("# syntax=registry.example/evil/frontend:1\nFROM debian:bookworm\n", 0, true);
        assertThat(refused.outcome().path("outcome").asText()).isEqualTo("BUILD_FAILED");
        assertThat(refused.outcome().path("reason").asText()).contains("frontend other than docker/dockerfile");
        assertThat(refused.indexOf("docker build")).isEqualTo(-1);
    }

    @Test
    void buildThatCannotConfineItsNetworkFailsAsPerfboxsOwnWithoutBuilding() throws Exception {
        Run run = run("FROM debian:bookworm\n", 0, false);

        assertThat(run.buildStatus()).as("perfbox's failure: the workflow records INTERNAL").isEqualTo(6);
        assertThat(run.indexOf("docker build")).isEqualTo(-1);
        assertThat(run.calls()).contains("docker system prune --all --force");
    }

    // ---- the scanner: the stack's mirror only, each piece verified ----

    @Test
    void scanUsesOnlyTheMirroredTrivyDbAndJavaDbAfterCheckingEachChecksumAndNeverFetchesEitherDb() throws Exception {
        Run run = run("FROM debian:bookworm\n", 0, true);

        assertThat(run.buildStatus()).isZero();
        assertThat(run.outcome().path("outcome").asText()).isEqualTo("BUILT");
        assertThat(run.outcome().path("pushed").asBoolean()).isTrue();
        int binary = run.indexOf("aws s3 cp --only-show-errors s3://b/scanner/trivy-0.58.1/trivy ");
        int current = run.indexOf("aws s3 cp --only-show-errors s3://b/scanner/db/current.json ");
        int archive = run.indexOf("aws s3 cp --only-show-errors s3://b/" + DB_ARCHIVE_KEY + " ");
        assertThat(binary).isNotNegative();
        assertThat(current).isGreaterThan(binary);
        int javaArchive = run.indexOf("aws s3 cp --only-show-errors s3://b/" + JAVA_DB_ARCHIVE_KEY + " ");
        assertThat(archive).isGreaterThan(current).isLessThan(run.indexOf("docker build"));
        assertThat(javaArchive).isGreaterThan(current).isLessThan(run.indexOf("docker build"));
        List<String> scans = run.calls().stream().filter(c -> c.startsWith("trivy image")).toList();
        assertThat(scans).hasSize(2).allSatisfy(scan -> assertThat(scan)
                .contains("--skip-db-update", "--skip-java-db-update", "--cache-dir " + dir.resolve("work/trivy-cache")));
        assertThat(run.calls()).noneMatch(c -> c.contains("would download") || c.contains("--download-db-only")
                || c.contains("--download-java-db-only"));
        // Unpacked where Trivy's --cache-dir reads it, and nothing else of the archives.
        assertThat(dir.resolve("work/trivy-cache/java-db/trivy-java.db")).hasContent("sqlite");
        assertThat(dir.resolve("work/trivy-cache/java-db/metadata.json")).exists();
        assertThat(sha256(dir.resolve("cache/trivy-0.58.1/trivy"))).isEqualTo(pinnedTrivySha256);
        assertThat(Files.readString(dir.resolve("work/build.log")))
                .contains("vulnerability DB of ", "Java DB of ",
                        "Trivy 0.58.1 (sha256 verified), its vulnerability DB and Java DB from the stack's mirror");
    }

    @Test
    void mirroredTrivyWithAnotherChecksumIsNeverRunAndEndsTheJobAsTheScannersBeforeAnythingIsBuilt() throws Exception {
        mirror(Duration.ofHours(6));
        Files.writeString(dir.resolve("bucket/scanner/trivy-0.58.1/trivy"), FAKE_TRIVY + "# another binary\n");

        Run run = run("FROM debian:bookworm\n", 0, true);

        assertThat(run.buildStatus()).as("an outcome: the workflow records SCANNER_UNAVAILABLE").isZero();
        assertThat(run.outcome().path("outcome").asText()).isEqualTo("SCAN_FAILED");
        assertThat(run.outcome().path("reason").asText())
                .isEqualTo("the mirrored Trivy's checksum did not match the pinned sha256: it was not run");
        assertThat(run.calls()).noneMatch(c -> c.startsWith("trivy "));
        assertThat(run.indexOf("docker build")).isEqualTo(-1);
        assertThat(dir.resolve("cache/trivy-0.58.1/trivy")).doesNotExist();
        assertThat(dir.resolve("cache/trivy-0.58.1/trivy.download")).doesNotExist();
        assertThat(run.calls()).contains("docker system prune --all --force");
    }

    @Test
    void cachedTrivyIsUsedOnlyWhileItHasThePinnedChecksum() throws Exception {
        mirror(Duration.ofHours(6));
        Path cached = Files.createDirectories(dir.resolve("cache/trivy-0.58.1")).resolve("trivy");
        Files.writeString(cached, "#!/usr/bin/env bash\nprintf '%s\\n' \"stale trivy $*\" >> \"$CALLS\"\n");
        cached.toFile().setExecutable(true);

        Run replaced = run("FROM debian:bookworm\n", 0, true);
        assertThat(replaced.outcome().path("outcome").asText()).isEqualTo("BUILT");
        assertThat(replaced.calls()).noneMatch(c -> c.startsWith("stale trivy"));
        assertThat(replaced.indexOf("aws s3 cp --only-show-errors s3://b/scanner/trivy-0.58.1/trivy ")).isNotNegative();
        assertThat(sha256(cached)).isEqualTo(pinnedTrivySha256);

        Files.delete(dir.resolve("calls.log"));
        Run fromCache = run("FROM debian:bookworm\n", 0, true);
        assertThat(fromCache.outcome().path("outcome").asText()).isEqualTo("BUILT");
        assertThat(fromCache.indexOf("aws s3 cp --only-show-errors s3://b/scanner/trivy-0.58.1/trivy ")).isEqualTo(-1);
        assertThat(fromCache.indexOf("trivy image")).isNotNegative();
    }

    @Test
    void dbOlderThanTheLimitIsRefusedAsTheScannersFailureWithTheReasonBeforeAnythingIsBuilt() throws Exception {
        mirror(Duration.ofHours(73));

        Run run = run("FROM debian:bookworm\n", 0, true);

        assertThat(run.buildStatus()).isZero();
        assertThat(run.outcome().path("outcome").asText()).isEqualTo("SCAN_FAILED");
        assertThat(run.outcome().path("reason").asText())
                .contains("the vulnerability DB was built at ", "73 hours ago, older than the limit of 72 hours",
                        "a stale DB would pass vulnerable images");
        assertThat(run.indexOf("docker build")).isEqualTo(-1);
        assertThat(run.indexOf("trivy image")).isEqualTo(-1);
    }

    @Test
    void dbJustInsideTheLimitIsUsed() throws Exception {
        mirror(Duration.ofHours(71));

        assertThat(run("FROM debian:bookworm\n", 0, true).outcome().path("outcome").asText()).isEqualTo("BUILT");
    }

    @Test
    void dbArchiveWhoseChecksumDiffersFromItsMirrorsRecordIsRefused() throws Exception {
        mirror(Duration.ofHours(6));
        Files.write(dir.resolve("bucket/" + DB_ARCHIVE_KEY), new byte[] {0}, StandardOpenOption.APPEND);

        Run run = run("FROM debian:bookworm\n", 0, true);

        assertThat(run.outcome().path("outcome").asText()).isEqualTo("SCAN_FAILED");
        assertThat(run.outcome().path("reason").asText())
                .isEqualTo("the mirrored vulnerability DB's checksum did not match its mirror's record");
        assertThat(run.indexOf("trivy image")).isEqualTo(-1);
        assertThat(run.indexOf("docker build")).isEqualTo(-1);
    }

    @Test
    void stackWhoseMirrorHasNotRunYetEndsJobsAsTheScannersSayingSo() throws Exception {
        mirror(Duration.ofHours(6));
        Files.delete(dir.resolve("bucket/scanner/db/current.json"));

        Run run = run("FROM debian:bookworm\n", 0, true);

        assertThat(run.outcome().path("outcome").asText()).isEqualTo("SCAN_FAILED");
        assertThat(run.outcome().path("reason").asText()).contains("no vulnerability DB in the stack's mirror");
        assertThat(run.indexOf("docker build")).isEqualTo(-1);
    }

    @Test
    void currentJsonNamingAnObjectOutsideTheMirrorIsRefused() throws Exception {
        mirror(Duration.ofHours(6));
        Files.writeString(dir.resolve("bucket/scanner/db/current.json"),
                "{\"key\":\"jobs/x/trivy-db.tar.gz\",\"sha256\":\"" + "0".repeat(64) + "\"}");

        Run run = run("FROM debian:bookworm\n", 0, true);

        assertThat(run.outcome().path("reason").asText())
                .isEqualTo("the mirror's current.json does not name a vulnerability DB archive and its sha256");
    }

    @Test
    void javaDbOlderThanTheLimitIsRefusedAsTheScannersFailureWithTheReasonBeforeAnythingIsBuilt() throws Exception {
        mirror(Duration.ofHours(6), Duration.ofHours(73));

        Run run = run("FROM debian:bookworm\n", 0, true);

        assertThat(run.buildStatus()).isZero();
        assertThat(run.outcome().path("outcome").asText()).isEqualTo("SCAN_FAILED");
        assertThat(run.outcome().path("reason").asText())
                .contains("the Java DB was built at ", "73 hours ago, older than the limit of 72 hours");
        assertThat(run.indexOf("docker build")).isEqualTo(-1);
        assertThat(run.indexOf("trivy image")).isEqualTo(-1);
    }

    @Test
    void javaDbArchiveWhoseChecksumDiffersFromItsMirrorsRecordIsRefused() throws Exception {
        mirror(Duration.ofHours(6));
        Files.write(dir.resolve("bucket/" + JAVA_DB_ARCHIVE_KEY), new byte[] {0}, StandardOpenOption.APPEND);

        Run run = run("FROM debian:bookworm\n", 0, true);

        assertThat(run.outcome().path("outcome").asText()).isEqualTo("SCAN_FAILED");
        assertThat(run.outcome().path("reason").asText())
                .isEqualTo("the mirrored Java DB's checksum did not match its mirror's record");
        assertThat(run.indexOf("trivy image")).isEqualTo(-1);
        assertThat(run.indexOf("docker build")).isEqualTo(-1);
    }

    @Test
    void mirrorRecordWithoutAJavaDbIsRefusedRatherThanLettingTheScanFetchOne() throws Exception {
        mirror(Duration.ofHours(6));
        Path current = dir.resolve("bucket/scanner/db/current.json");
        Files.writeString(current, Files.readString(current).replaceFirst(",\"javaDb\":\\{[^}]*\\}", ""));

        Run run = run("FROM debian:bookworm\n", 0, true);

        assertThat(run.outcome().path("outcome").asText()).isEqualTo("SCAN_FAILED");
        assertThat(run.outcome().path("reason").asText())
                .isEqualTo("the mirror's current.json does not name a Java DB archive and its sha256");
        assertThat(run.indexOf("docker build")).isEqualTo(-1);
    }

    @Test
    void bothBuildspecsPinTheRepositorysTrivyVersionTheSameChecksumAndTheSameDbAge() throws Exception {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        JsonNode build = yaml.readTree(BUILDSPEC.toFile()).at("/env/variables");
        JsonNode mirror = yaml.readTree(Path.of("../buildspecs/scanner-mirror.yml").toFile()).at("/env/variables");
        String version = Files.readString(Path.of("../tools/trivy.version")).strip();

        assertThat(build.path("TRIVY_VERSION").asText()).isEqualTo(version);
        assertThat(mirror.path("TRIVY_VERSION").asText()).isEqualTo(version);
        assertThat(build.path("TRIVY_SHA256").asText()).matches("[0-9a-f]{64}")
                .isEqualTo(mirror.path("TRIVY_SHA256").asText());
        assertThat(build.path("MAX_DB_AGE_HOURS").asText()).isEqualTo(mirror.path("MAX_DB_AGE_HOURS").asText());
    }
}
