package io.perfbox.testing.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.domain.Finding;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.ScanReport;
import io.perfbox.core.domain.Severity;
import io.perfbox.core.port.JobArtifactStore;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import io.perfbox.core.port.JobArtifactStore.LogKind;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What every JobArtifactStore adapter must do. Subclasses provide a store; each test uses fresh job ids. */
public abstract class JobArtifactStoreContract {

    protected abstract JobArtifactStore store();

    private static final ScanReport REPORT = new ScanReport("trivy", "0.58.1", List.of(
            new Finding("CVE-2024-0001", "openssl", "3.0.11-1", "3.0.13-1", Severity.CRITICAL, "Overflow in X.509 – “quoted”", "debian 12"),
            new Finding("CVE-2024-0002", "zlib", "1.2.13", null, Severity.LOW, null, "debian 12"),
            new Finding("GHSA-xxxx", "left-pad", "1.0.0", "", Severity.UNKNOWN, "no fix", "app/package-lock.json")));

    @Test
    void logsOfEachKindAreKeptApartWithTheirTruncationFlag() {
        JobId id = JobId.random();
        CapturedLog build = new CapturedLog("step 1/2 : FROM debian\n✓ done\n", false);
        CapturedLog run = new CapturedLog("x".repeat(100_000) + "\n", true);
        store().saveLog(id, LogKind.BUILD, build);
        store().saveLog(id, LogKind.RUN, run);
        assertThat(store().log(id, LogKind.BUILD)).contains(build);
        assertThat(store().log(id, LogKind.RUN)).contains(run);
    }

    @Test
    void anEmptyLogIsStillALog() {
        JobId id = JobId.random();
        store().saveLog(id, LogKind.RUN, CapturedLog.EMPTY);
        assertThat(store().log(id, LogKind.RUN)).contains(CapturedLog.EMPTY);
        assertThat(store().log(id, LogKind.BUILD)).isEmpty();
    }

    @Test
    void nothingIsKeptForAnUnknownJob() {
        JobId id = JobId.random();
        assertThat(store().log(id, LogKind.BUILD)).isEmpty();
        assertThat(store().log(id, LogKind.RUN)).isEmpty();
        assertThat(store().scanReport(id)).isEmpty();
    }

    @Test
    void scanReportRoundTripsWithEveryFinding() {
        JobId id = JobId.random();
        store().saveScanReport(id, REPORT);
        ScanReport read = store().scanReport(id).orElseThrow();
        assertThat(read).isEqualTo(REPORT);
        assertThat(read.findings().get(1).hasFix()).isFalse();
    }

    @Test
    void aScanReportWithoutFindingsRoundTrips() {
        JobId id = JobId.random();
        ScanReport clean = new ScanReport("trivy", "0.58.1", List.of());
        store().saveScanReport(id, clean);
        assertThat(store().scanReport(id)).contains(clean);
    }

    @Test
    void savingAgainReplaces() {
        JobId id = JobId.random();
        store().saveLog(id, LogKind.BUILD, new CapturedLog("first", false));
        store().saveLog(id, LogKind.BUILD, new CapturedLog("second", true));
        store().saveScanReport(id, REPORT);
        ScanReport clean = new ScanReport("trivy", "0.59.0", List.of());
        store().saveScanReport(id, clean);
        assertThat(store().log(id, LogKind.BUILD)).contains(new CapturedLog("second", true));
        assertThat(store().scanReport(id)).contains(clean);
    }

    @Test
    void deleteAllRemovesEverythingOfThatJobOnly() {
        JobId gone = JobId.random();
        JobId kept = JobId.random();
        for (JobId id : List.of(gone, kept)) {
            store().saveLog(id, LogKind.BUILD, new CapturedLog("build", false));
            store().saveLog(id, LogKind.RUN, new CapturedLog("run", false));
            store().saveScanReport(id, REPORT);
        }
        store().deleteAll(gone);
        assertThat(store().log(gone, LogKind.BUILD)).isEmpty();
        assertThat(store().log(gone, LogKind.RUN)).isEmpty();
        assertThat(store().scanReport(gone)).isEmpty();
        assertThat(store().log(kept, LogKind.BUILD)).contains(new CapturedLog("build", false));
        assertThat(store().log(kept, LogKind.RUN)).contains(new CapturedLog("run", false));
        assertThat(store().scanReport(kept)).contains(REPORT);
    }

    @Test
    void deleteAllOfAJobWithNothingStoredIsHarmless() {
        JobId id = JobId.random();
        store().deleteAll(id);
        store().saveLog(id, LogKind.BUILD, new CapturedLog("build", false));
        store().deleteAll(id);
        store().deleteAll(id);
        assertThat(store().log(id, LogKind.BUILD)).isEmpty();
    }
}
