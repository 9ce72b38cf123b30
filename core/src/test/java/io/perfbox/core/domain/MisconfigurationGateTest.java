package io.perfbox.core.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.lifecycle.StepOutcomes;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The scan gate's misconfiguration threshold: by default none blocks; at a threshold, those at or above it do. */
class MisconfigurationGateTest {
    private static final Misconfiguration ROOT = new Misconfiguration("DS002", "Image user should not be 'root'",
            Severity.HIGH, "Specify at least 1 USER command in Dockerfile with non-root user as argument", null, null);
    private static final Misconfiguration HEALTHCHECK = new Misconfiguration("DS026", "No HEALTHCHECK defined",
            Severity.LOW, "Add HEALTHCHECK instruction in your Dockerfile", null, null);
    private static final Finding CRITICAL_CVE = new Finding("CVE-2024-6387", "openssh-server", "1:9.2p1-2",
            "1:9.2p1-2+deb12u3", Severity.CRITICAL, "regreSSHion", "debian 12");

    private static ScanReport report(List<Finding> findings, Misconfiguration... misconfigurations) {
        return new ScanReport("trivy", "0.58.1", findings).withMisconfigurations(List.of(misconfigurations));
    }

    @Test
    void withoutAThresholdMisconfigurationsOfAnySeverityAreWarningsOnly() {
        var critical = new Misconfiguration("DS999", "t", Severity.CRITICAL, "m", 2, 2);
        var decision = VulnerabilityPolicy.DEFAULT.evaluate(report(List.of(), ROOT, HEALTHCHECK, critical));
        assertThat(decision.passed()).isTrue();
        assertThat(decision.blockingMisconfigurations()).isEmpty();
        assertThat(StepOutcomes.failureOf(VulnerabilityPolicy.DEFAULT, decision)).isEmpty();
    }

    @ParameterizedTest(name = "{0} under misconfiguration threshold {1} passes: {2}")
    @CsvSource({"LOW,LOW,false", "LOW,MEDIUM,true", "HIGH,HIGH,false", "HIGH,CRITICAL,true", "CRITICAL,HIGH,false",
            "UNKNOWN,UNKNOWN,false", "UNKNOWN,LOW,true"})
    void aMisconfigurationAtOrAboveTheThresholdBlocks(Severity found, Severity threshold, boolean passes) {
        var policy = VulnerabilityPolicy.DEFAULT.withMisconfigThreshold(threshold);
        var decision = policy.evaluate(report(List.of(), new Misconfiguration("DS001", "t", found, "m", 1, 1)));
        assertThat(decision.passed()).isEqualTo(passes);
        assertThat(decision.blockingMisconfigurations()).hasSize(passes ? 0 : 1);
        assertThat(decision.vulnerable()).isFalse();
    }

    @Test
    void onlyMisconfigurationsBlockingEndsTheJobMisconfiguredNamingThem() {
        var policy = VulnerabilityPolicy.DEFAULT.withMisconfigThreshold(Severity.HIGH);
        var decision = policy.evaluate(report(List.of(), ROOT, HEALTHCHECK));
        assertThat(decision.blockingMisconfigurations()).containsExactly(ROOT);
        Failure failure = StepOutcomes.failureOf(policy, decision).orElseThrow();
        assertThat(failure.code()).isEqualTo(FailureCode.MISCONFIGURED);
        assertThat(failure.message()).isEqualTo("The Dockerfile fails the scanner's checks, so the image was not run: "
                + "1 misconfiguration at or above HIGH: DS002 (HIGH) Image user should not be 'root'");
    }

    @Test
    void blockingFindingsEndTheJobVulnerableAndNameTheBlockingMisconfigurationsAfterThem() {
        var policy = VulnerabilityPolicy.DEFAULT.withMisconfigThreshold(Severity.LOW);
        var decision = policy.evaluate(report(List.of(CRITICAL_CVE), ROOT, HEALTHCHECK));
        Failure failure = StepOutcomes.failureOf(policy, decision).orElseThrow();
        assertThat(failure.code()).isEqualTo(FailureCode.VULNERABLE);
        assertThat(failure.message()).startsWith("1 finding at or above HIGH: CVE-2024-6387 (CRITICAL)")
                .endsWith("; and 2 misconfigurations at or above LOW: DS002 (HIGH) Image user should not be 'root'; "
                        + "DS026 (LOW) No HEALTHCHECK defined");
    }

    @Test
    void theGateRecordsItsThresholds() {
        assertThat(VulnerabilityPolicy.DEFAULT.gate()).isEqualTo(new ScanReport.Gate(Severity.HIGH, false, null));
        assertThat(new VulnerabilityPolicy(Severity.CRITICAL, true, Severity.MEDIUM).gate())
                .isEqualTo(new ScanReport.Gate(Severity.CRITICAL, true, Severity.MEDIUM));
    }

    @Test
    void aMisconfigurationDescribesItsLines() {
        assertThat(ROOT.describe()).isEqualTo("DS002 (HIGH) Image user should not be 'root'");
        assertThat(new Misconfiguration("DS013", "'RUN cd ...' to change directory", Severity.MEDIUM, "m", 3, 3)
                .describe()).isEqualTo("DS013 (MEDIUM) 'RUN cd ...' to change directory at line 3");
        assertThat(new Misconfiguration("DS017", "t", Severity.HIGH, "m", 4, 6).describe()).endsWith("at lines 4-6");
        assertThat(new Misconfiguration("DS017", "t", null, "m", 0, -1)).satisfies(m -> {
            assertThat(m.severity()).isEqualTo(Severity.UNKNOWN);
            assertThat(m.startLine()).isNull();
            assertThat(m.endLine()).isNull();
        });
    }

    @Test
    void aReportWithoutMisconfigurationsHasAnEmptyList() {
        var old = new ScanReport("trivy", "0.58.1", List.of(), null, null, null, null);
        assertThat(old.misconfigurations()).isEmpty();
        assertThat(old.gate()).isNull();
    }
}
