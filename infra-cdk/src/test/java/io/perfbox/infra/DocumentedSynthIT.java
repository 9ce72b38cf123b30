package io.perfbox.infra;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.testing.RepositoryRoot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The synth line of docs/aws.md, run as a user runs it: read out of the guide, through bash, from the root of a copy
 * of the repository (its sources only, nothing built), with no AWS credentials. In-process synths with the tests' own
 * paths once hid a documented synth that failed for every user.
 */
class DocumentedSynthIT {
    private static final Set<String> NOT_COPIED = Set.of(".git", "target", "cdk.out", "node_modules");

    static String documentedSynthLine() throws IOException {
        List<String> lines = Files.readAllLines(RepositoryRoot.path().resolve("docs/aws.md")).stream()
                .map(String::strip).filter(l -> l.startsWith("cd infra-cdk && ") && l.contains(" synth")).toList();
        assertThat(lines).as("docs/aws.md gives its synth line once").hasSize(1);
        return lines.get(0);
    }

    @Test
    void theDocumentedSynthLineWritesTheTemplateFromAFreshCopyWithoutAnAccount() throws Exception {
        String line = documentedSynthLine();
        assertThat(line).isEqualTo("cd infra-cdk && npx aws-cdk@latest synth");
        Path copy = Files.createTempDirectory("perfbox-synth-");
        copySources(RepositoryRoot.path(), copy);
        Path log = copy.resolveSibling(copy.getFileName() + ".log");
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", line).directory(copy.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        // No account: an environment-agnostic stack synthesizes without credentials.
        pb.environment().keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("CDK_"));
        pb.environment().put("AWS_EC2_METADATA_DISABLED", "true");
        // npx asks before it installs the CDK CLI; a user at a terminal answers yes, a test says so up front.
        pb.environment().put("npm_config_yes", "true");
        Process p = pb.start();
        boolean ended = p.waitFor(20, TimeUnit.MINUTES);
        if (!ended) {
            p.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(ended).as("the synth ended in 20 minutes:%n%s", output).isTrue();
        assertThat(p.exitValue()).as("the synth's exit code:%n%s", output).isZero();
        Path template = copy.resolve("infra-cdk/cdk.out/Perfbox.template.json");
        assertThat(template).as(output).isRegularFile();
        assertThat(Files.readString(template)).contains("AWS::StepFunctions::StateMachine", "AWS::Lambda::Function");
    }

    /** The repository's files as a clone has them: no build output, no git metadata. */
    private static void copySources(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path rel = from.relativize(p);
                boolean skipped = false;
                for (Path part : rel) {
                    if (NOT_COPIED.contains(part.toString())) {
                        skipped = true;
                        break;
                    }
                }
                if (skipped) {
                    continue;
                }
                Path target = to.resolve(rel.toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
