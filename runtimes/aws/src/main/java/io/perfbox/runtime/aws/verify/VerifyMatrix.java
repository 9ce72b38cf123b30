package io.perfbox.runtime.aws.verify;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The scenarios {@code perfbox aws verify} runs on a deployed stack, each with the outcome the local runtime gives the
 * same Dockerfile, as the local runtime's own tests establish it ({@link Scenario#localEvidence}: the test that shows
 * it; {@code VerifyMatrixTest} reads that test and holds each expectation to it).
 */
public final class VerifyMatrix {
    /** Jobs in flight the verification stack allows: {@link #STACK_CONTEXT}'s fargateVcpus over the task's 1 vCPU. */
    public static final int CAP = 2;
    /** Jobs the burst submits at once: past the cap, so some must wait QUEUED. */
    public static final int BURST = CAP + 4;
    /** The run timeout of the verification stack, in seconds: short, so the timeout scenario ends soon. */
    public static final int RUN_TIMEOUT_SECONDS = 60;

    /**
     * The settings verify deploys with (CDK context, docs/aws.md's table). ignoreUnfixed: a current debian:bookworm
     * carries unfixed HIGH and CRITICAL findings in Trivy's real DB (the local tests' fixture DB has none), which
     * would end every scenario VULNERABLE; the local runtime's {@code --ignore-unfixed} behaves the same
     * (VulnerabilityGateIT#ignoreUnfixedLetsUnfixedFindingsPassButNotFixableOnes).
     */
    public static final Map<String, String> STACK_CONTEXT = context();

    private VerifyMatrix() {
    }

    private static Map<String, String> context() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("perfbox:runTimeoutSeconds", Integer.toString(RUN_TIMEOUT_SECONDS));
        c.put("perfbox:ignoreUnfixed", "true");
        c.put("perfbox:fargateVcpus", Integer.toString(CAP));
        return Collections.unmodifiableMap(c);
    }

    /** How a scenario drives its jobs. */
    public enum Kind {
        /** Submit, wait for the end. */
        ONE_JOB,
        /** Submit, wait until RUNNING, cancel, wait for the end. */
        CANCEL_WHEN_RUNNING,
        /** Submit all at once, wait for every end, counting the jobs in flight at each look. */
        BURST
    }

    /**
     * What a job must end as.
     *
     * @param status          SUCCEEDED, FAILED or CANCELLED
     * @param failureCode     the failure's code, or null for none
     * @param performance     the performance, or null for none
     * @param metrics         metrics the job must carry (name to value)
     * @param messageContains text the failure's message must contain, or null
     */
    public record Expected(String status, String failureCode, Double performance, Map<String, Double> metrics,
                           String messageContains) {
        static Expected succeeded(double performance) {
            return new Expected("SUCCEEDED", null, performance, Map.of(), null);
        }

        static Expected failed(String code, String messageContains) {
            return new Expected("FAILED", code, null, Map.of(), messageContains);
        }

        /** As the report writes it. */
        public String summary() {
            return VerifyReport.outcome(status, failureCode, performance, metrics).toString();
        }
    }

    /**
     * One scenario.
     *
     * @param name            short name (the report's row)
     * @param idea            what its Dockerfile does, in words (--help)
     * @param kind            how its jobs are driven
     * @param dockerfiles     one Dockerfile per job
     * @param expected        one expectation per job
     * @param localEvidence   the local runtime's test establishing the outcome: {@code path#method} from the
     *                        repository root
     * @param evidenceMentions what that test's method says, literally (its Dockerfile's telling part and the code)
     */
    public record Scenario(String name, String idea, Kind kind, List<String> dockerfiles, List<Expected> expected,
                           String localEvidence, List<String> evidenceMentions) {
        public Scenario {
            if (dockerfiles.size() != expected.size() || dockerfiles.isEmpty()) {
                throw new IllegalArgumentException(name + ": one expectation per Dockerfile");
            }
        }
    }

    private static final String LOCAL = "runtimes/local/src/test/java/io/perfbox/runtime/local/e2e/";

    /** The matrix, in the order it runs and is reported. */
    public static List<Scenario> scenarios() {
        List<Scenario> all = new ArrayList<>();
        all.add(one("success-with-metrics", "writes perf 0.9 and two metrics (loss, accuracy) to /data/perf.json",
                "FROM debian:bookworm\nCMD echo '{\"perf\":0.9,\"metrics\":{\"loss\":0.1,\"accuracy\":0.9}}' > /data/perf.json\n",
                new Expected("SUCCEEDED", null, 0.9, orderedMetrics(), null),
                LOCAL + "MetricsLeaderboardIT.java#aJobsMetricsAreStoredAndReturnedBesideItsPerformance",
                List.of("SUCCEEDED", "isEqualTo(0.9)", "\"loss\"", "isEqualTo(0.1)")));
        all.add(one("non-zero-exit", "writes a result, then exits 7",
                "FROM debian:bookworm\nCMD echo '{\"perf\":1}' > /data/perf.json; exit 7\n",
                Expected.failed("RUN_FAILED", "7"),
                LOCAL + "LocalRuntimeIT.java#nonZeroExitEndsRunFailedWithTheCode",
                List.of("exit 7", "\"RUN_FAILED\"", "contains(\"7\")")));
        // A dated bookworm from before glibc's fix of CVE-2023-4911 (HIGH, fixed in 2.36-9+deb12u3): a finding
        // with a fix, which ignoreUnfixed does not let through. The local test's image is Debian's hello against
        // perfbox's fixture DB, which marks it CRITICAL with a fix; Trivy's real DB does not.
        all.add(one("vulnerable-image", "an old debian:bookworm whose glibc has a HIGH finding with a fix; never runs",
                "FROM debian:bookworm-20230814\nCMD echo '{\"perf\":1}' > /data/perf.json\n",
                Expected.failed("VULNERABLE", "CVE-"),
                "runtimes/local/src/test/java/io/perfbox/runtime/local/e2e/VulnerabilityGateIT.java"
                        + "#ignoreUnfixedLetsUnfixedFindingsPassButNotFixableOnes",
                List.of("--ignore-unfixed", "assertVulnerable")));
        all.add(one("failed-build", "a RUN step that exits 3",
                "FROM debian:bookworm\nRUN echo about to fail && exit 3\nCMD true\n",
                Expected.failed("BUILD_FAILED", null),
                LOCAL + "LocalRuntimeIT.java#buildFailureEndsBuildFailed",
                List.of("RUN echo about to fail && exit 3", "\"BUILD_FAILED\"")));
        all.add(one("run-timeout", "sleeps 600 s, past the stack's " + RUN_TIMEOUT_SECONDS + " s run timeout",
                "FROM debian:bookworm\nCMD sleep 600\n",
                Expected.failed("RUN_TIMEOUT", null),
                LOCAL + "LocalRuntimeIT.java#containerRunningPastTheTimeoutEndsRunTimeout",
                List.of("CMD sleep 600", "\"RUN_TIMEOUT\"")));
        all.add(new Scenario("cancel-mid-run", "prints a line and sleeps 600 s; cancelled once RUNNING",
                Kind.CANCEL_WHEN_RUNNING,
                List.of("FROM debian:bookworm\nRUN echo build-marker\nCMD echo run-marker; sleep 600\n"),
                List.of(new Expected("CANCELLED", null, null, Map.of(), "RUNNING")),
                LOCAL + "LocalRuntimeIT.java#cancellingARunningJobKillsItsContainerAndKeepsTheJobCancelledWithItsLogsUntilDeleted",
                List.of("sleep 600", "\"RUNNING\"", "\"CANCELLED\"", "contains(\"RUNNING\")")));
        // The engine itself fetches an ADD's URL, outside every rule on the build's RUN steps: perfbox refuses the
        // Dockerfile before building (BaseImagePolicy), so nothing reaches the metadata service.
        all.add(one("metadata-add", "ADD http://169.254.169.254/latest/meta-data/ (the instance metadata address)",
                "FROM debian:bookworm\nADD http://169.254.169.254/latest/meta-data/ /metadata\n"
                        + "CMD echo '{\"perf\":1}' > /data/perf.json\n",
                Expected.failed("INVALID_DOCKERFILE", "URL"),
                LOCAL + "EngineFetchIT.java#anAddOfTheMetadataAddressIsRefusedBeforeTheBuild",
                List.of("169.254.169.254", "\"INVALID_DOCKERFILE\"")));
        List<String> burst = new ArrayList<>();
        List<Expected> burstExpected = new ArrayList<>();
        for (int i = 1; i <= BURST; i++) {
            // As the local test: /data starts empty for each job, which then writes its own number.
            burst.add("FROM debian:bookworm\n"
                    + "CMD if [ -z \"$(ls -A /data)\" ]; then v=" + i + "; else v=-1; fi; echo $v > /data/perf.json\n");
            burstExpected.add(Expected.succeeded(i));
        }
        all.add(new Scenario("burst-past-the-cap", BURST + " jobs at once with a cap of " + CAP
                + " in flight: every one SUCCEEDED with its own number, at most " + CAP + " in flight",
                Kind.BURST, burst, burstExpected,
                LOCAL + "LocalRuntimeIT.java#jobsSubmittedTogetherAllRunEachWithItsOwnData",
                List.of("ls -A /data", "\"SUCCEEDED\"", "isEqualTo(e.getValue())")));
        return List.copyOf(all);
    }

    private static Map<String, Double> orderedMetrics() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("loss", 0.1);
        m.put("accuracy", 0.9);
        return Collections.unmodifiableMap(m);
    }

    private static Scenario one(String name, String idea, String dockerfile, Expected expected, String evidence,
                                List<String> mentions) {
        return new Scenario(name, idea, Kind.ONE_JOB, List.of(dockerfile), List.of(expected), evidence, mentions);
    }
}
