package io.perfbox.core.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunReceiptTest {
    private static final String DIGEST = "sha256:" + "ab".repeat(32);
    private static final String BASE = "sha256:" + "cd".repeat(32);

    static RunReceipt full() {
        return RunReceipt.submitted(new Dockerfile("FROM debian:bookworm\n"), "0.1.0")
                .merge(RunReceipt.built(DIGEST, List.of(new RunReceipt.BaseImage("debian:bookworm", BASE))))
                .merge(RunReceipt.scanned(new RunReceipt.Scanner("trivy", "0.58.1", "2024-12-01T00:00:00Z",
                        "2024-12-02T00:00:00Z")))
                .merge(RunReceipt.ran(new RunReceipt.Limits(512L << 20, 1.5, 256, 600L, 1L << 30, 10L << 30), "0-1",
                        "runc", "Intel(R) Xeon(R) CPU", "6.1.0-28-amd64"));
    }

    @Test
    void theDockerfileShaIsTheSha256OfItsUtf8TextAsSha256sumPrintsIt() {
        // printf 'FROM debian:bookworm\n' | sha256sum
        assertThat(RunReceipt.sha256(new Dockerfile("FROM debian:bookworm\n")))
                .isEqualTo(HexFormat.of().formatHex(sha("FROM debian:bookworm\n")));
        // printf 'FROM scratch\n' | sha256sum
        assertThat(RunReceipt.sha256(new Dockerfile("FROM scratch\n"))).isEqualTo(
                "bb57c7da220a8753d7bdabac0d3afdb6efa742e4c736c5bc93ab40dfd5e23b9b");
    }

    private static byte[] sha(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void eachStepAddsItsPartAndKeepsTheOthers() {
        RunReceipt r = full();
        assertThat(r.perfboxVersion()).isEqualTo("0.1.0");
        assertThat(r.dockerfileSha256()).hasSize(64);
        assertThat(r.imageDigest()).isEqualTo(DIGEST);
        assertThat(r.baseImages()).containsExactly(new RunReceipt.BaseImage("debian:bookworm", BASE));
        assertThat(r.scanner().version()).isEqualTo("0.58.1");
        assertThat(r.limits().pids()).isEqualTo(256);
        assertThat(r.cpuset()).isEqualTo("0-1");
        assertThat(r.containerRuntime()).isEqualTo("runc");
        assertThat(r.kernel()).isEqualTo("6.1.0-28-amd64");
        // a later part that does not know a value leaves it
        assertThat(r.merge(RunReceipt.ran(null, null, null, null, null))).isEqualTo(r);
    }

    @Test
    void aReceiptRoundTripsThroughItsMapAndJson() {
        RunReceipt r = full();
        assertThat(RunReceipt.fromMap(r.toMap())).contains(r);
        assertThat(RunReceipt.fromJson(r.toJson())).contains(r);
        assertThat(RunReceipt.fromJson(RunReceipt.EMPTY.toJson())).contains(RunReceipt.EMPTY);
    }

    @Test
    void badDataIsDroppedNeverAnError() {
        assertThat(RunReceipt.fromJson("not json")).isEmpty();
        assertThat(RunReceipt.fromJson("[1,2]")).isEmpty();
        assertThat(RunReceipt.fromJson(null)).isEmpty();
        RunReceipt odd = RunReceipt.fromJson("""
                {"imageDigest": 5, "dockerfileSha256": "zz", "baseImages": [1, {"name": {}, "digest": "sha256:short"}],
                 "limits": {"memoryBytes": -1, "cpus": "two", "pids": 1e30, "timeoutSeconds": 1.5},
                 "scanner": "trivy", "cpuset": "0; rm -rf /", "kernel": ["x"]}""").orElseThrow();
        assertThat(odd).isEqualTo(RunReceipt.EMPTY);
    }

    @Test
    void textIsMadeSafeForATerminalAndAPage() {
        RunReceipt r = RunReceipt.ran(null, null, "runc\u001b]0;owned\u0007", "Xeon\u202e\r\nfake: line",
                "x".repeat(1000));
        assertThat(r.containerRuntime()).isEqualTo("runc ]0;owned");
        assertThat(r.hostCpuModel()).isEqualTo("Xeon fake: line");
        assertThat(r.kernel()).hasSize(RunReceipt.MAX_TEXT);
    }

    @Test
    void aRepoDigestKeepsOnlyItsDigestAndANonSha256DigestIsDropped() {
        assertThat(new RunReceipt.BaseImage("debian", "debian@" + BASE).digest()).isEqualTo(BASE);
        assertThat(new RunReceipt.BaseImage("debian", "md5:abc").digest()).isNull();
    }

    @Test
    void everyChangeOfAJobKeepsItsReceipt() {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        Job job = Job.queued(JobId.random(), "alice", "n", "d", t).withReceipt(full());
        assertThat(job.advancedTo(JobStatus.BUILDING, t).receipt()).isEqualTo(full());
        assertThat(job.withWarning("w", t).receipt()).isEqualTo(full());
        assertThat(job.withVulnerabilities(null, t).receipt()).isEqualTo(full());
        assertThat(job.succeeded(1.0, Map.of("x", 2.0), t).receipt()).isEqualTo(full());
        assertThat(job.failed(Failure.of(FailureCode.INTERNAL, "x"), t).receipt()).isEqualTo(full());
        assertThat(job.cancelled(t).receipt()).isEqualTo(full());
        assertThat(Job.queued(JobId.random(), "alice", "n", "d", t).receipt()).isNull();
    }

    @Test
    void thePerfboxVersionIsTheBuildsVersion() {
        assertThat(PerfboxVersion.current()).isNotBlank().doesNotContain("${").isNotEqualTo("unknown");
    }
}
