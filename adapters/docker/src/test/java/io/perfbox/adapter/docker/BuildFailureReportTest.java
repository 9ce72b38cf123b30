package io.perfbox.adapter.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Where a build failed, read from real output of this machine's engine (Docker 20.10.24, Debian's /usr/bin/docker):
 * BuildKit with {@code --progress plain} and the classic builder. The samples under {@code build-output/} were
 * captured by {@code build-output/capture.sh} (it builds each {@code NAME.dockerfile} there the way
 * DockerImageBuilder does and keeps {@code NAME.buildkit.txt} and {@code NAME.classic.txt}).
 */
class BuildFailureReportTest {
    private static final byte[] SECRET = "a test secret of sixteen bytes+".getBytes(StandardCharsets.UTF_8);

    private static String resource(String name) {
        try (InputStream in = BuildFailureReportTest.class.getResourceAsStream("build-output/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no sample " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static BuildFailureReport.Located buildKit(String sample) {
        String dockerfile = resource(sample + ".dockerfile");
        Optional<BuildFailureReport.Located> at = BuildFailureReport.fromBuildKit(resource(sample + ".buildkit.txt"),
                DockerfileSyntax.parse(dockerfile));
        assertThat(at).as(sample).isPresent();
        return at.get();
    }

    private static BuildFailureReport.Located classic(String sample) {
        String dockerfile = resource(sample + ".dockerfile");
        // The scope's value differs from the captured one; its lines stand where perfbox puts them, which is what counts.
        BuildCacheScope.Scoped scoped = BuildCacheScope.of(SECRET, "tenant").apply(dockerfile);
        Optional<BuildFailureReport.Located> at = BuildFailureReport.fromClassic(resource(sample + ".classic.txt"),
                DockerfileSyntax.parse(dockerfile), scoped);
        assertThat(at).as(sample).isPresent();
        return at.get();
    }

    @Test
    void aRunFailingOnAContinuedLineIsNamedByItsFirstLineWithItsExitCodeAndOutput() {
        BuildFailureReport.Located at = buildKit("run-continued");
        assertThat(at.line()).isEqualTo(4);
        assertThat(at.reason()).isEqualTo("line 4: RUN echo step one && echo \"line 1: FROM spoofed\" && exit 3: exit code: 3");
        assertThat(at.lastOutput()).containsExactly("step one", "line 1: FROM spoofed");
    }

    @Test
    void theClassicBuilderNamesTheSameLineThroughTheScopesAddedLines() {
        BuildFailureReport.Located at = classic("run-continued");
        assertThat(at.reason()).isEqualTo("line 4: RUN echo step one && echo \"line 1: FROM spoofed\" && exit 3: exit code: 3");
        assertThat(at.lastOutput()).containsExactly("step one", "line 1: FROM spoofed");
    }

    @Test
    void aCopyOfAMissingFileSaysTheDockerfileIsTheWholeBuildContext() {
        for (BuildFailureReport.Located at : new BuildFailureReport.Located[] {buildKit("copy-missing"),
                classic("copy-missing")}) {
            assertThat(at.line()).isEqualTo(4);
            assertThat(at.reason()).startsWith("line 4: COPY settings.json /app/: ")
                    .contains("settings.json")
                    .contains("the Dockerfile is the whole build context");
        }
    }

    @Test
    void anAddOfAMissingFileInTheLastOfSeveralStagesIsFoundByItsStageAndStep() {
        BuildFailureReport.Located at = buildKit("add-missing-multistage");
        assertThat(at.line()).isEqualTo(9);
        assertThat(at.reason()).startsWith("line 9: ADD data.tar.gz /data/: \"/data.tar.gz\" not found")
                .contains("whole build context");
    }

    @Test
    void theClassicBuilderBuildsEveryStageAndFailsAtTheUnusedOnesRun() {
        BuildFailureReport.Located at = classic("add-missing-multistage");
        assertThat(at.reason()).isEqualTo("line 5: RUN exit 9: exit code: 9");
    }

    @Test
    void aRunOfALaterStageWithACommentInsideItsContinuationIsNamedByItsStageAndStep() {
        BuildFailureReport.Located at = buildKit("multistage-run");
        assertThat(at.reason()).isEqualTo("line 8: RUN cat /out.txt && false: exit code: 1");
        assertThat(at.lastOutput()).containsExactly("compiled");
        assertThat(classic("multistage-run").reason()).isEqualTo("line 8: RUN cat /out.txt && false: exit code: 1");
    }

    @Test
    void whatATenantsRunPrintsNeverPassesForTheStepTheErrorOrTheLine() {
        BuildFailureReport.Located at = buildKit("hostile-output");
        assertThat(at.line()).isEqualTo(2);
        assertThat(at.reason()).startsWith("line 2: RUN printf ").endsWith(": exit code: 5");
        // The last 20 lines the step printed, as printed (escaping is the message's job), the spoofs among the older.
        assertThat(at.lastOutput()).hasSize(20).endsWith("output line 30", "no newline at the end")
                .startsWith("output line 12");
        assertThat(classic("hostile-output").line()).isEqualTo(2);
        assertThat(classic("hostile-output").reason()).endsWith(": exit code: 5");
        assertThat(classic("hostile-output").lastOutput()).endsWith("no newline at the end");
    }

    @Test
    void aJsonFormRunWhoseCommandHoldsNewlinesCannotNameAnotherStep() {
        BuildFailureReport.Located at = buildKit("json-newline");
        assertThat(at.line()).isEqualTo(2);
        assertThat(at.reason()).isEqualTo("line 2: RUN [\"sh\", \"-c\", \"echo a\\n#2 [1/1] RUN spoof\\nexit 4\"]: exit code: 4");
        assertThat(at.lastOutput()).containsExactly("a");
        assertThat(classic("json-newline").reason()).endsWith(": exit code: 4").startsWith("line 2: RUN [");
    }

    @Test
    void aLowerCaseRunContinuedWithTheBacktickEscapeIsFoundThoughBuildKitNamesItWithItsVariablesExpanded() {
        // BuildKit names the step "RUN echo hello world && exit 6": upper case, ENV substituted.
        for (BuildFailureReport.Located at : new BuildFailureReport.Located[] {buildKit("escape-backtick"),
                classic("escape-backtick")}) {
            assertThat(at.reason()).isEqualTo("line 4: RUN echo hello $NAME && exit 6: exit code: 6");
            assertThat(at.lastOutput()).containsExactly("hello world");
        }
    }

    @Test
    void aLogWhoseMiddleWasDroppedIsReadFromTheCliSummaryOfTheFailedStep() {
        String log = resource("run-continued.buildkit.txt");
        // The step's own lines lost in a flood's dropped middle: only the summary after "------" is left.
        String cut = log.substring(log.indexOf("------"));
        Optional<BuildFailureReport.Located> at = BuildFailureReport.fromBuildKit(cut,
                DockerfileSyntax.parse(resource("run-continued.dockerfile")));
        assertThat(at).isPresent();
        assertThat(at.get().line()).isEqualTo(4);
        assertThat(at.get().reason()).startsWith("line 4: RUN echo step one").endsWith(": exit code: 3");
    }

    @Test
    void outputWithoutAFailedStepLocatesNothing() {
        assertThat(BuildFailureReport.fromBuildKit("#1 [internal] load build definition from Dockerfile\n"
                + "error: failed to solve: pull access denied\n", DockerfileSyntax.parse("FROM nothing:here\n"))).isEmpty();
        assertThat(BuildFailureReport.fromClassic("Sending build context to Docker daemon\nStep 1/2 : FROM nothing\n"
                + "pull access denied\n", DockerfileSyntax.parse("FROM nothing\n"),
                BuildCacheScope.of(SECRET, "t").apply("FROM nothing\n"))).map(BuildFailureReport.Located::reason)
                .contains("line 1: FROM nothing: pull access denied");
    }

    @Test
    void aClassicStepHeaderPrintedOutOfOrderByTheTenantIsNotTaken() {
        String dockerfile = "FROM debian:bookworm\nRUN echo x\nRUN exit 2\nCMD true\n";
        BuildCacheScope.Scoped scoped = BuildCacheScope.of(SECRET, "t").apply(dockerfile);
        String log = "Step 1/6 : FROM debian:bookworm\n ---> ee0677a4004c\nStep 2/6 : ARG PERFBOX_BUILD_SCOPE=x\n"
                + " ---> Running in 5ef2bdd0ac27\nRemoving intermediate container 5ef2bdd0ac27\n ---> 150201a4d115\n"
                + "Step 3/6 : RUN echo x\n ---> Running in 03557bafb0f2\nStep 5/6 : CMD true\nStep 4/6 : RUN exit 2\n"
                + "The command '/bin/sh -c echo x' returned a non-zero code: 2\n";
        Optional<BuildFailureReport.Located> at = BuildFailureReport.fromClassic(log, DockerfileSyntax.parse(dockerfile), scoped);
        assertThat(at.map(BuildFailureReport.Located::line)).contains(2);
        assertThat(at.get().lastOutput()).containsExactly("Step 5/6 : CMD true", "Step 4/6 : RUN exit 2");
    }
}
