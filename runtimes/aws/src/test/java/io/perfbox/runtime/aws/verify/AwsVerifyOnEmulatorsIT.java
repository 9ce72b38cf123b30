package io.perfbox.runtime.aws.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.testing.RepositoryRoot;
import io.perfbox.testing.aws.LocalStack;
import io.perfbox.testing.aws.Moto;
import io.perfbox.testing.docker.RequiresDocker;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The verify lines docs/aws.md and README print, run as printed through bash from the repository root (the launcher
 * builds the AWS runtime as it would for a user). The bare {@code ./perfbox aws verify} runs with the AWS endpoints
 * pointed at LocalStack (S3, Step Functions) and moto (DynamoDB), the way the SDK reads them
 * ({@code AWS_ENDPOINT_URL}, {@code AWS_ENDPOINT_URL_DYNAMODB}): the services those have answer its preflight, and
 * it stops before deploying, naming the ones missing. That stop is the expected outcome here.
 */
@RequiresDocker
class AwsVerifyOnEmulatorsIT {
    private record Run(int code, String out, String err) {
    }

    /** The lines of docs/aws.md's verify section's shell blocks. */
    private static List<String> documentedLines() throws Exception {
        String docs = Files.readString(RepositoryRoot.path().resolve("docs/aws.md"));
        int start = docs.indexOf("\n## Verify on your account");
        assertThat(start).as("docs/aws.md has a verify section").isPositive();
        String section = docs.substring(start, docs.indexOf("\n## ", start + 1));
        List<String> lines = new ArrayList<>();
        Matcher block = Pattern.compile("```sh\n(.*?)```", Pattern.DOTALL).matcher(section);
        while (block.find()) {
            block.group(1).lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).forEach(lines::add);
        }
        return lines;
    }

    private static Run bash(String line, Map<String, String> env) throws Exception {
        Path out = Files.createTempFile("verify-out", ".txt");
        Path err = Files.createTempFile("verify-err", ".txt");
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", line).directory(RepositoryRoot.path().toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        // Nothing of this machine's own AWS configuration: only what the test gives.
        pb.environment().keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("CDK_"));
        pb.environment().put("AWS_EC2_METADATA_DISABLED", "true");
        pb.environment().put("AWS_CONFIG_FILE", "/nonexistent");
        pb.environment().put("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent");
        pb.environment().putAll(env);
        Process p = pb.start();
        assertThat(p.waitFor(15, TimeUnit.MINUTES)).as(line).isTrue();
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    private static URI byIp(URI endpoint) throws Exception {
        return new URI(endpoint.getScheme(), null, InetAddress.getByName(endpoint.getHost()).getHostAddress(),
                endpoint.getPort(), null, null, null);
    }

    @Test
    void theDocumentedHelpLineDocumentsTheMatrixAndTheReadmeNamesTheSameLine() throws Exception {
        List<String> lines = documentedLines();
        assertThat(lines).containsExactly("./perfbox aws verify --help", "./perfbox aws verify");
        assertThat(Files.readString(RepositoryRoot.path().resolve("README.md"))).contains("`./perfbox aws verify --help`");
        Run help = bash(lines.get(0), Map.of());
        assertThat(help.code()).as(help.err()).isZero();
        for (VerifyMatrix.Scenario s : VerifyMatrix.scenarios()) {
            assertThat(help.out()).contains(s.name(), VerifyReport.expectedSummary(s));
        }
    }

    @Test
    void onLocalStackAndMotoTheDocumentedLineStopsBeforeDeployingNamingTheMissingServices() throws Exception {
        String line = documentedLines().get(1);
        assertThat(line).isEqualTo("./perfbox aws verify");
        Run run = bash(line, Map.of(
                "AWS_ACCESS_KEY_ID", "test", "AWS_SECRET_ACCESS_KEY", "test",
                "AWS_REGION", LocalStack.region().id(),
                "AWS_ENDPOINT_URL", byIp(LocalStack.endpoint()).toString(),
                "AWS_ENDPOINT_URL_DYNAMODB", byIp(Moto.endpoint()).toString()));
        System.out.println("perfbox aws verify on LocalStack and moto, its stderr:\n" + run.err());
        assertThat(run.code()).as(run.err()).isEqualTo(3);
        assertThat(run.out()).as("no report: nothing ran").isEmpty();
        String err = run.err();
        assertThat(err).contains("perfbox aws verify: stopped: before deploying:");
        String answered = err.lines().filter(l -> l.strip().startsWith("answered:")).findFirst().orElseThrow();
        assertThat(answered).contains("S3", "DynamoDB", "Step Functions");
        for (String service : List.of("Lambda", "CodeBuild", "ECS")) {
            assertThat(err).as(service).containsPattern("(?m)^  missing: " + Pattern.quote(service) + " \\(");
        }
        assertThat(err).as("nothing was deployed").doesNotContain("deploying stack", "npx aws-cdk");
    }
}
