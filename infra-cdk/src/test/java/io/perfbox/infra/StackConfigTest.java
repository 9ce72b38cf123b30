package io.perfbox.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.adapter.aws.ecs.FargateTaskSize;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.services.logs.RetentionDays;

/** The context settings: defaults, overrides, and a clear message for each bad value. */
class StackConfigTest {

    private static StackConfig config(Map<String, Object> context) {
        App app = new App();
        context.forEach(app.getNode()::setContext);
        return StackConfig.fromContext(app.getNode());
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        StackConfig config = config(Map.of());
        assertThat(config.severityThreshold()).isEqualTo("HIGH");
        assertThat(config.ignoreUnfixed()).isFalse();
        assertThat(config.misconfigThreshold()).isEqualTo("NONE");
        assertThat(config.buildTimeoutSeconds()).isEqualTo(900);
        assertThat(config.maxImageBytes()).isEqualTo(10L << 30);
        assertThat(config.runTimeoutSeconds()).isEqualTo(600);
        assertThat(config.runStartTimeoutSeconds()).isEqualTo(1800);
        assertThat(config.taskCpu()).isEqualTo(1024);
        assertThat(config.taskMemoryMib()).isEqualTo(2048);
        assertThat(config.apiQuotaPerDay()).isEqualTo(10_000);
        assertThat(config.artifactRetentionDays()).isEqualTo(30);
        assertThat(config.platformRetrySeconds()).isEqualTo(30);
        assertThat(config.maxScannerDbAgeHours()).isEqualTo(72);
        assertThat(config.scannerMirrorBuildspec()).isEqualTo(Path.of("../buildspecs/scanner-mirror.yml"));
    }

    @Test
    void contextValuesOverrideTheDefaultsAsStringsOrJsonValues() {
        StackConfig config = config(Map.of("perfbox:severityThreshold", "critical", "perfbox:ignoreUnfixed", "true",
                "perfbox:taskCpu", 2048, "perfbox:taskMemoryMib", "4096", "perfbox:runTimeoutSeconds", 60));
        assertThat(config.severityThreshold()).isEqualTo("CRITICAL");
        assertThat(config.ignoreUnfixed()).isTrue();
        assertThat(config.taskCpu()).isEqualTo(2048);
        assertThat(config.taskMemoryMib()).isEqualTo(4096);
        assertThat(config.runTimeoutSeconds()).isEqualTo(60);
        assertThat(config(Map.of("perfbox:maxScannerDbAgeHours", "48")).maxScannerDbAgeHours()).isEqualTo(48);
        assertThat(config(Map.of("perfbox:misconfigThreshold", "high")).misconfigThreshold()).isEqualTo("HIGH");
    }

    @Test
    void tenantQuotasAreUnlimitedByDefaultAndWholeNumbersFromOneWhenSet() {
        assertThat(config(Map.of()).tenantQuotas()).isFalse();
        StackConfig config = config(Map.of("perfbox:maxActiveJobsPerTenant", 4, "perfbox:maxSubmissionsPerDay", "200"));
        assertThat(config.maxActiveJobsPerTenant()).isEqualTo(4);
        assertThat(config.maxSubmissionsPerDay()).isEqualTo(200);
        assertThat(config.tenantQuotas()).isTrue();
        assertThat(config(Map.of("perfbox:maxSubmissionsPerDay", "unlimited")).tenantQuotas()).isFalse();
        for (Object bad : new Object[] {0, "0", -2, "many", 1.5, 1_000_001}) {
            assertThatThrownBy(() -> config(Map.of("perfbox:maxActiveJobsPerTenant", bad)))
                    .as("%s", bad).hasMessageContaining("perfbox:maxActiveJobsPerTenant");
            assertThatThrownBy(() -> config(Map.of("perfbox:maxSubmissionsPerDay", bad)))
                    .as("%s", bad).hasMessageContaining("perfbox:maxSubmissionsPerDay");
        }
    }

    @Test
    void theCapOnJobsInFlightIsWhatBothQuotasHoldLeavingOneBuildToTheScannerMirror() {
        assertThat(config(Map.of()).jobsInFlight()).as("20 builds, 6 vCPUs, 1-vCPU tasks").isEqualTo(6);
        assertThat(config(Map.of("perfbox:codeBuildConcurrentBuilds", 3)).jobsInFlight()).isEqualTo(2);
        assertThat(config(Map.of("perfbox:fargateVcpus", 100)).jobsInFlight()).isEqualTo(19);
        assertThat(config(Map.of("perfbox:fargateVcpus", 8, "perfbox:taskCpu", 2048, "perfbox:taskMemoryMib", 4096))
                .jobsInFlight()).isEqualTo(4);
        assertThat(config(Map.of("perfbox:fargateVcpus", 1, "perfbox:taskCpu", 512, "perfbox:taskMemoryMib", 1024))
                .jobsInFlight()).isEqualTo(2);
        assertThat(config(Map.of()).admissionWaitSeconds()).isEqualTo(30);
        assertThatThrownBy(() -> config(Map.of("perfbox:codeBuildConcurrentBuilds", 1)))
                .hasMessageContaining("perfbox:codeBuildConcurrentBuilds");
        assertThatThrownBy(() -> config(Map.of("perfbox:fargateVcpus", 0))).hasMessageContaining("perfbox:fargateVcpus");
        assertThatThrownBy(() -> config(Map.of("perfbox:fargateVcpus", 1, "perfbox:taskCpu", 2048,
                "perfbox:taskMemoryMib", 4096))).hasMessageContaining("cannot hold one job's task");
        assertThatThrownBy(() -> config(Map.of("perfbox:admissionWaitSeconds", 0)))
                .hasMessageContaining("perfbox:admissionWaitSeconds");
        assertThatThrownBy(() -> config(Map.of("perfbox:admissionWaitSeconds", "soon")))
                .hasMessageContaining("perfbox:admissionWaitSeconds");
    }

    @Test
    void badValuesStopTheSynthNamingTheKey() {
        assertThatThrownBy(() -> config(Map.of("perfbox:artifactRetentionDays", "forever")))
                .hasMessageContaining("perfbox:artifactRetentionDays");
        assertThatThrownBy(() -> config(Map.of("perfbox:severityThreshold", "SEVERE")))
                .hasMessageContaining("perfbox:severityThreshold");
        assertThatThrownBy(() -> config(Map.of("perfbox:misconfigThreshold", "root")))
                .hasMessageContaining("perfbox:misconfigThreshold").hasMessageContaining("NONE");
        assertThatThrownBy(() -> config(Map.of("perfbox:ignoreUnfixed", "maybe")))
                .hasMessageContaining("perfbox:ignoreUnfixed");
        assertThatThrownBy(() -> config(Map.of("perfbox:buildTimeoutSeconds", 10)))
                .hasMessageContaining("perfbox:buildTimeoutSeconds");
        assertThatThrownBy(() -> config(Map.of("perfbox:taskCpu", 300)))
                .hasMessageContaining("perfbox:taskCpu");
        assertThatThrownBy(() -> config(Map.of("perfbox:apiQuotaPerDay", 0)))
                .hasMessageContaining("perfbox:apiQuotaPerDay");
        assertThatThrownBy(() -> config(Map.of("perfbox:platformRetrySeconds", 0)))
                .hasMessageContaining("perfbox:platformRetrySeconds");
        // Below a day, one missed daily mirror would fail every job.
        assertThatThrownBy(() -> config(Map.of("perfbox:maxScannerDbAgeHours", 12)))
                .hasMessageContaining("perfbox:maxScannerDbAgeHours must be from 24 to 720, not 12");
        assertThatThrownBy(() -> config(Map.of("perfbox:maxScannerDbAgeHours", "a week")))
                .hasMessageContaining("perfbox:maxScannerDbAgeHours");
    }

    @Test
    void runStartAllowanceDefaultsToHalfAnHourOrWhatPullingTheLargestAllowedImageNeeds() {
        assertThat(StackConfig.minimumRunStartSeconds(10 * 1024)).isEqualTo(300 + 512);
        assertThat(config(Map.of("perfbox:maxImageMib", 20 * 1024)).runStartTimeoutSeconds()).isEqualTo(1800);
        assertThat(config(Map.of("perfbox:maxImageMib", 100 * 1024)).runStartTimeoutSeconds()).isEqualTo(300 + 5120);
        // 190 GiB at 20 MiB/s is 9728 s, after 300 s of provisioning.
        assertThat(config(Map.of("perfbox:maxImageMib", 190 * 1024)).runStartTimeoutSeconds()).isEqualTo(10_028);
        assertThat(config(Map.of("perfbox:runStartTimeoutSeconds", 900)).runStartTimeoutSeconds()).isEqualTo(900);
    }

    @Test
    void runStartAllowanceTooShortForTheImageLimitOrBeyondSixHoursStopsTheSynth() {
        assertThatThrownBy(() -> config(Map.of("perfbox:runStartTimeoutSeconds", 600)))
                .hasMessageContainingAll("perfbox:runStartTimeoutSeconds", "from 812", "10240 MiB image", "not 600");
        assertThatThrownBy(() -> config(Map.of("perfbox:maxImageMib", 190 * 1024,
                "perfbox:runStartTimeoutSeconds", 3600))).hasMessageContaining("from 10028");
        assertThatThrownBy(() -> config(Map.of("perfbox:runStartTimeoutSeconds", 6 * 3600 + 1)))
                .hasMessageContaining("to 21600");
    }

    @Test
    void taskMemoryMustSuitTheFargateCpu() {
        assertThatThrownBy(() -> config(Map.of("perfbox:taskCpu", 256, "perfbox:taskMemoryMib", 1536)))
                .hasMessageContaining("not valid for taskCpu 256");
        assertThatThrownBy(() -> config(Map.of("perfbox:taskCpu", 1024, "perfbox:taskMemoryMib", 1024)))
                .hasMessageContaining("2048 to 8192");
        assertThat(config(Map.of("perfbox:taskCpu", 256, "perfbox:taskMemoryMib", 2048)).taskMemoryMib()).isEqualTo(2048);
    }

    @Test
    void logRetentionIsTheShortestThatKeepsLogsAsLongAsArtifacts() {
        assertThat(PerfboxStack.logRetention(30)).isEqualTo(RetentionDays.ONE_MONTH);
        assertThat(PerfboxStack.logRetention(31)).isEqualTo(RetentionDays.TWO_MONTHS);
        assertThat(PerfboxStack.logRetention(1)).isEqualTo(RetentionDays.ONE_DAY);
        assertThat(PerfboxStack.logRetention(3650)).isEqualTo(RetentionDays.TEN_YEARS);
    }

    @Test
    void defaultJarsAreRuntimesAwsTwoDeploymentJarsAndExistOnceBuilt() {
        StackConfig config = config(Map.of());
        assertThat(config.apiJar()).hasToString("../runtimes/aws/target/perfbox-api-lambda.jar");
        assertThat(config.workflowJar()).hasToString("../runtimes/aws/target/perfbox-workflow-lambda.jar");
        // Resolved from infra-cdk/, as the CDK CLI runs the app: the jars runtimes/aws's build makes (tests run after it).
        assertThat(Path.of("").toAbsolutePath().resolve(config.apiJar()).normalize()).isEqualTo(SynthesizedStack.apiJar().toAbsolutePath().normalize());
    }

    @Test
    void aMissingLambdaJarStopsTheSynthNamingItsContextKeyAndTheBuildCommand() {
        App app = new App();
        app.getNode().setContext("perfbox:apiJar", SynthesizedStack.apiJar().toString());
        app.getNode().setContext("perfbox:workflowJar", "does/not/exist.jar");
        assertThatThrownBy(() -> PerfboxStack.createStack(app, "NoJar"))
                .hasMessageContaining("does not exist").hasMessageContaining("perfbox:workflowJar")
                .hasMessageContaining("mvn -B -pl runtimes/aws -am package");

        App noApiJar = new App();
        noApiJar.getNode().setContext("perfbox:apiJar", "does/not/exist.jar");
        assertThatThrownBy(() -> PerfboxStack.createStack(noApiJar, "NoJar"))
                .hasMessageContaining("perfbox:apiJar");
    }

    @Test
    void acceptsExactlyTheTaskSizesTheWorkflowRuntimeAccepts() {
        // One app, its context set anew for each size: a jsii App per size would take minutes.
        App app = new App();
        // Quota enough for the largest task: the Fargate quota's own check is tenantQuotas'/jobsInFlight's test.
        app.getNode().setContext("perfbox:fargateVcpus", 100_000);
        for (int cpu : new int[] {128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768}) {
            for (int memory = 256; memory <= 131072; memory += 256) {
                boolean runtime = FargateTaskSize.isValid(cpu, memory);
                boolean stack;
                try {
                    app.getNode().setContext("perfbox:taskCpu", cpu);
                    app.getNode().setContext("perfbox:taskMemoryMib", memory);
                    StackConfig.fromContext(app.getNode());
                    stack = true;
                } catch (IllegalArgumentException e) {
                    stack = false;
                }
                assertThat(stack).as(cpu + " CPU, " + memory + " MiB").isEqualTo(runtime);
            }
        }
    }

    @Test
    void acceptsExactlyTheImageLimitsAJobsFargateTaskCanHold() {
        App app = new App();
        for (long mib : new long[] {64, 10 * 1024, FargateTaskSize.MAX_IMAGE_MIB,
                FargateTaskSize.MAX_IMAGE_MIB + 1, 512 * 1024}) {
            app.getNode().setContext("perfbox:maxImageMib", mib);
            boolean runtime = mib <= FargateTaskSize.MAX_IMAGE_MIB;
            boolean stack;
            try {
                StackConfig.fromContext(app.getNode());
                stack = true;
            } catch (IllegalArgumentException e) {
                stack = false;
            }
            assertThat(stack).as(mib + " MiB").isEqualTo(runtime);
        }
    }

    @Test
    void baseImagesAreTheDockerfilePolicysPatternsAndABadOneStopsTheSynthNamingTheKey() {
        assertThat(config(Map.of()).baseImages()).containsExactly(ContextKey.BASE_IMAGES.defaultValue().split(","));
        assertThat(config(Map.of("perfbox:baseImages", "debian:*, registry.example/team/*")).baseImages())
                .containsExactly("debian:*", "registry.example/team/*");
        for (String bad : List.of("", "debian:*,", "debian:* ubuntu:*", "a|b")) {
            assertThatThrownBy(() -> config(Map.of("perfbox:baseImages", bad))).as(bad)
                    .hasMessageContaining("perfbox:baseImages");
        }
    }
}
