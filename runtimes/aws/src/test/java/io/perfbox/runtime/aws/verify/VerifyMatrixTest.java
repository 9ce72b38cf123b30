package io.perfbox.runtime.aws.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.testing.RepositoryRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The matrix: each scenario's expectation is the one the local runtime's named test asserts. */
class VerifyMatrixTest {
    /** The body of a test method: from its declaration to the next method's (or the class's end). */
    private static String methodBody(String evidence) throws Exception {
        String[] parts = evidence.split("#");
        Path file = RepositoryRoot.path().resolve(parts[0]);
        assertThat(file).as(evidence).isRegularFile();
        String source = Files.readString(file);
        int start = source.indexOf("void " + parts[1] + "(");
        assertThat(start).as("the method %s", evidence).isPositive();
        int next = source.indexOf("\n    @Test", start);
        return source.substring(start, next < 0 ? source.length() : next);
    }

    @Test
    void everyScenarioNamesALocalTestThatAssertsItsOutcome() throws Exception {
        for (VerifyMatrix.Scenario s : VerifyMatrix.scenarios()) {
            String body = methodBody(s.localEvidence());
            for (String mention : s.evidenceMentions()) {
                assertThat(body).as("%s: %s says %s", s.name(), s.localEvidence(), mention).contains(mention);
            }
            // The code is asserted in the method itself, or in a helper of the same file the mentions name.
            String file = Files.readString(RepositoryRoot.path().resolve(s.localEvidence().split("#")[0]));
            StringBuilder asserted = new StringBuilder(body);
            for (String mention : s.evidenceMentions()) {
                int helper = file.indexOf(" void " + mention + "(");
                if (helper >= 0) {
                    asserted.append(file, helper, file.indexOf("\n    }\n", helper));
                }
            }
            for (VerifyMatrix.Expected e : s.expected()) {
                if (e.failureCode() != null) {
                    assertThat(asserted).as(s.name()).contains("\"" + e.failureCode() + "\"");
                }
            }
        }
    }

    @Test
    void theMatrixCoversTheIssuesScenariosOnceEach() {
        List<String> names = VerifyMatrix.scenarios().stream().map(VerifyMatrix.Scenario::name).toList();
        assertThat(names).containsExactly("success-with-metrics", "non-zero-exit", "vulnerable-image", "failed-build",
                "run-timeout", "cancel-mid-run", "metadata-add", "burst-past-the-cap");
        Set<String> codes = VerifyMatrix.scenarios().stream().flatMap(s -> s.expected().stream())
                .map(e -> e.status() + "/" + e.failureCode()).collect(Collectors.toSet());
        assertThat(codes).contains("SUCCEEDED/null", "FAILED/RUN_FAILED", "FAILED/VULNERABLE", "FAILED/BUILD_FAILED",
                "FAILED/RUN_TIMEOUT", "CANCELLED/null", "FAILED/INVALID_DOCKERFILE");
    }

    @Test
    void theDockerfilesAreTheLocalTestsOwnWhereTheyCanBe() throws Exception {
        // The same Dockerfile, character for character, as the local test submits (as a Java literal there).
        for (String name : List.of("non-zero-exit", "failed-build", "run-timeout")) {
            VerifyMatrix.Scenario s = VerifyMatrix.scenarios().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
            String literal = s.dockerfiles().get(0).replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
            assertThat(methodBody(s.localEvidence())).as(name).contains(literal);
        }
        String metadata = VerifyMatrix.scenarios().stream().filter(x -> x.name().equals("metadata-add")).findFirst()
                .orElseThrow().dockerfiles().get(0);
        assertThat(metadata).contains("ADD http://169.254.169.254/");
    }

    @Test
    void theBurstIsPastTheCapAndTheStackIsDeployedWithThatCap() {
        VerifyMatrix.Scenario burst = VerifyMatrix.scenarios().get(VerifyMatrix.scenarios().size() - 1);
        assertThat(burst.kind()).isEqualTo(VerifyMatrix.Kind.BURST);
        assertThat(burst.dockerfiles()).hasSizeGreaterThan(VerifyMatrix.CAP);
        assertThat(burst.dockerfiles()).doesNotHaveDuplicates();
        // cap = fargateVcpus over the task's vCPUs (taskCpu 1024 by default: one vCPU).
        assertThat(VerifyMatrix.STACK_CONTEXT).containsEntry("perfbox:fargateVcpus", Integer.toString(VerifyMatrix.CAP))
                .containsEntry("perfbox:runTimeoutSeconds", Integer.toString(VerifyMatrix.RUN_TIMEOUT_SECONDS));
    }
}
