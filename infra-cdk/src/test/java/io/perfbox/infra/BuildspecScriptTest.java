package io.perfbox.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The buildspec's own shell, run here by bash as CodeBuild runs it (the build commands, then the finally block), with
 * the commands it drives replaced by recorders: aws, docker, iptables and the cached Trivy. What a CodeBuild host
 * does with those calls needs a real account; the order and the arguments of the calls are what is checked here.
 */
class BuildspecScriptTest {
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

    /** Runs the build and then the finally block on the given Dockerfile; docker build exits with buildExit. */
    private Run run(String dockerfile, int buildExit, boolean iptablesWorks) throws Exception {
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
                  build) cat > /dev/null; exit "$BUILD_EXIT" ;;
                  image) [[ "$2" == inspect ]] && echo 1000 ;;
                  login) cat > /dev/null ;;
                esac
                exit 0""");
        stub("iptables", iptablesWorks ? """
                [[ "$1" == -S ]] && printf '%s\\n' '-P FORWARD DROP' '-A FORWARD -j DOCKER-USER'
                [[ "$1" == -C ]] && exit 1
                exit 0""" : "exit 4");
        Path cache = dir.resolve("cache");
        Path trivy = Files.createDirectories(cache.resolve("trivy-0.58.1")).resolve("trivy");
        Files.writeString(trivy, """
                #!/usr/bin/env bash
                printf '%s\\n' "trivy $*" >> "$CALLS"
                [[ "$1" == --version ]] && { echo 'Version: 0.58.1'; exit 0; }
                for ((i = 1; i <= $#; i++)); do
                  [[ "${!i}" == --output ]] && { j=$((i + 1)); echo '{"Results":[]}' > "${!j}"; }
                done
                exit 0
                """);
        Files.setPosixFilePermissions(trivy, PosixFilePermissions.fromString("rwxr-xr-x"));

        JsonNode spec = new ObjectMapper(new YAMLFactory()).readTree(BUILDSPEC.toFile());
        Map<String, String> env = new HashMap<>();
        spec.at("/env/variables").properties().forEach(v -> env.put(v.getKey(), v.getValue().asText()));
        env.putAll(Map.of("JOB_ID", JOB_ID, "ARTIFACT_BUCKET", "b", "IMAGE_REPOSITORY_URI", REPOSITORY,
                "PERFBOX_CACHE", cache.toString(), "WORK_DIR", dir.resolve("work").toString(),
                "CALLS", dir.resolve("calls.log").toString(), "BUCKET", dir.resolve("bucket").toString(),
                "BUILD_EXIT", Integer.toString(buildExit)));
        env.put("PATH", dir.resolve("bin") + ":" + System.getenv("PATH"));
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
        int login = run.indexOf("aws ecr get-login-password");
        assertThat(login).isGreaterThan(run.indexOf("trivy image --cache-dir")).isGreaterThan(build);
        assertThat(run.indexOf("docker push")).isGreaterThan(login);
    }

    @Test
    void failedBuildStillLeavesNoImageNoBuildCacheAndNoRegistryLogin() throws Exception {
        Run run = run("FROM debian:bookworm\nRUN false\n", 1, true);

        assertThat(run.buildStatus()).isZero();
        assertThat(run.outcome().path("outcome").asText()).isEqualTo("BUILD_FAILED");
        assertThat(run.indexOf("aws ecr get-login-password")).as("no push credential for a failed build").isEqualTo(-1);
        int removed = run.calls().indexOf("docker image rm --force " + IMAGE);
        assertThat(removed).isGreaterThan(run.indexOf("docker build"));
        assertThat(run.calls().indexOf("docker system prune --all --force")).isGreaterThan(removed);
        assertThat(run.calls()).contains("docker logout 123456789012.dkr.ecr.eu-west-1.amazonaws.com");
        assertThat(run.finallyStatus()).isZero();
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
}
