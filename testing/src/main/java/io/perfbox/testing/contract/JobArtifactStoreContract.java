package io.perfbox.testing.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.domain.Finding;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.Misconfiguration;
import io.perfbox.core.domain.ScanReport;
import io.perfbox.core.domain.Severity;
import io.perfbox.core.port.JobArtifactStore;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import io.perfbox.core.port.JobArtifactStore.LogKind;
import io.perfbox.core.port.LogSlice;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What every JobArtifactStore adapter must do. Subclasses provide a store; each test uses fresh job ids. */
public abstract class JobArtifactStoreContract {

    protected abstract JobArtifactStore store();

    /** A store whose logs written as they are produced keep {@code headBytes} from the start, {@code tailBytes} from the end. */
    protected abstract JobArtifactStore storeKeeping(int headBytes, int tailBytes);

    private static String text(LogSlice slice) {
        return new String(slice.bytes(), StandardCharsets.UTF_8);
    }

    private static void append(JobArtifactStore.LogWriter w, String text) {
        w.write(text);
    }

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
    void aScanReportRoundTripsWithItsMisconfigurationsAndTheThresholdsItWasJudgedBy() {
        JobId id = JobId.random();
        ScanReport judged = REPORT.withMisconfigurations(List.of(
                new Misconfiguration("DS002", "Image user should not be 'root'", Severity.HIGH,
                        "Specify at least 1 USER command in Dockerfile with non-root user as argument", null, null),
                new Misconfiguration("DS013", "'RUN cd ...' to change directory", Severity.MEDIUM, "Use WORKDIR", 3, 4)))
                .judgedBy(new ScanReport.Gate(Severity.HIGH, true, Severity.MEDIUM));
        store().saveScanReport(id, judged);
        assertThat(store().scanReport(id)).contains(judged);
        ScanReport warningsOnly = REPORT.judgedBy(new ScanReport.Gate(Severity.CRITICAL, false, null));
        store().saveScanReport(id, warningsOnly);
        assertThat(store().scanReport(id)).contains(warningsOnly);
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

    // ---- logs written as they are produced ----

    @Test
    void outputIsReadableAsItIsAppendedAndResumesFromTheOffsetGiven() {
        JobId id = JobId.random();
        JobArtifactStore.LogWriter w = store().openLog(id, LogKind.BUILD);
        assertThat(store().readLog(id, LogKind.BUILD, 0, 1024)).hasValueSatisfying(s -> {
            assertThat(s.bytes()).isEmpty();
            assertThat(s.complete()).isFalse();
        });
        append(w, "line-1\n");
        LogSlice first = store().readLog(id, LogKind.BUILD, 0, 1024).orElseThrow();
        assertThat(text(first)).isEqualTo("line-1\n");
        assertThat(first.next()).isEqualTo(7);
        assertThat(first.complete()).isFalse();
        append(w, "line-2\n");
        LogSlice rest = store().readLog(id, LogKind.BUILD, first.next(), 1024).orElseThrow();
        assertThat(text(rest)).isEqualTo("line-2\n");
        assertThat(rest.offset()).isEqualTo(7);
        assertThat(rest.atEnd()).isFalse();
        w.close();
        LogSlice end = store().readLog(id, LogKind.BUILD, rest.next(), 1024).orElseThrow();
        assertThat(end.bytes()).isEmpty();
        assertThat(end.atEnd()).isTrue();
        assertThat(store().log(id, LogKind.BUILD)).contains(new CapturedLog("line-1\nline-2\n", false));
    }

    @Test
    void aFloodKeepsHeadAndTailCountsEveryByteAndAnOffsetInTheDroppedMiddleReadsOnFromTheTail() {
        JobId id = JobId.random();
        JobArtifactStore store = storeKeeping(8, 8);
        try (JobArtifactStore.LogWriter w = store.openLog(id, LogKind.RUN)) {
            append(w, "HEAD");
            append(w, "HEAD" + "m".repeat(500));
            for (int i = 0; i < 500; i++) {
                append(w, "m");
            }
            append(w, "TAIL");
            for (char c : "TAIL".toCharArray()) {
                append(w, String.valueOf(c));
            }
        }
        assertThat(store.log(id, LogKind.RUN)).contains(new CapturedLog("HEADHEAD\n[... 1000 bytes omitted ...]\nTAILTAIL", true));
        LogSlice head = store.readLog(id, LogKind.RUN, 0, 1024).orElseThrow();
        assertThat(text(head)).isEqualTo("HEADHEAD");
        assertThat(head.omitted()).isZero();
        LogSlice tail = store.readLog(id, LogKind.RUN, head.next(), 1024).orElseThrow();
        assertThat(tail.omitted()).isEqualTo(1000);
        assertThat(tail.offset()).isEqualTo(1008);
        assertThat(text(tail)).isEqualTo("TAILTAIL");
        assertThat(tail.total()).isEqualTo(1016);
        assertThat(tail.atEnd()).isTrue();
        LogSlice middle = store.readLog(id, LogKind.RUN, 600, 3).orElseThrow();
        assertThat(middle.offset()).isEqualTo(1008);
        assertThat(middle.omitted()).isEqualTo(408);
        assertThat(text(middle)).isEqualTo("TAI");
    }

    @Test
    void aLogWithinItsBoundIsKeptWholeAcrossHeadAndTail() {
        JobId id = JobId.random();
        JobArtifactStore store = storeKeeping(4, 6);
        try (JobArtifactStore.LogWriter w = store.openLog(id, LogKind.BUILD)) {
            append(w, "abc");
            append(w, "defghij");
        }
        assertThat(store.log(id, LogKind.BUILD)).contains(new CapturedLog("abcdefghij", false));
        LogSlice head = store.readLog(id, LogKind.BUILD, 1, 100).orElseThrow();
        assertThat(text(head)).isEqualTo("bcd");
        LogSlice tail = store.readLog(id, LogKind.BUILD, head.next(), 100).orElseThrow();
        assertThat(text(tail)).isEqualTo("efghij");
        assertThat(tail.omitted()).isZero();
    }

    @Test
    void aReadIsBoundedAndAnOffsetPastTheEndReadsAtTheEnd() {
        JobId id = JobId.random();
        try (JobArtifactStore.LogWriter w = store().openLog(id, LogKind.BUILD)) {
            append(w, "0123456789");
        }
        LogSlice some = store().readLog(id, LogKind.BUILD, 2, 3).orElseThrow();
        assertThat(text(some)).isEqualTo("234");
        assertThat(some.next()).isEqualTo(5);
        LogSlice past = store().readLog(id, LogKind.BUILD, 99, 3).orElseThrow();
        assertThat(past.offset()).isEqualTo(10);
        assertThat(past.bytes()).isEmpty();
        assertThat(past.atEnd()).isTrue();
    }

    @Test
    void aLogStoredWholeIsReadFromOffsetsTooAndKeepsItsTruncationFlag() {
        JobId id = JobId.random();
        store().saveLog(id, LogKind.RUN, new CapturedLog("abcdef", true));
        LogSlice s = store().readLog(id, LogKind.RUN, 2, 2).orElseThrow();
        assertThat(text(s)).isEqualTo("cd");
        assertThat(s.complete()).isTrue();
        assertThat(s.total()).isEqualTo(6);
        assertThat(store().log(id, LogKind.RUN)).contains(new CapturedLog("abcdef", true));
        assertThat(store().readLog(id, LogKind.BUILD, 0, 10)).isEmpty();
    }

    @Test
    void openingALogReplacesAStoredOneAndStoringWholeReplacesOneBeingWritten() {
        JobId id = JobId.random();
        store().saveLog(id, LogKind.BUILD, new CapturedLog("old", false));
        JobArtifactStore.LogWriter w = store().openLog(id, LogKind.BUILD);
        assertThat(store().log(id, LogKind.BUILD)).contains(CapturedLog.EMPTY);
        append(w, "new");
        assertThat(store().log(id, LogKind.BUILD)).contains(new CapturedLog("new", false));
        store().saveLog(id, LogKind.BUILD, new CapturedLog("whole", false));
        assertThat(store().log(id, LogKind.BUILD)).contains(new CapturedLog("whole", false));
        assertThat(store().readLog(id, LogKind.BUILD, 0, 100).orElseThrow().complete()).isTrue();
    }

    @Test
    void deleteAllRemovesALogBeingWritten() {
        JobId id = JobId.random();
        try (JobArtifactStore.LogWriter w = store().openLog(id, LogKind.RUN)) {
            append(w, "output");
            store().deleteAll(id);
        }
        assertThat(store().readLog(id, LogKind.RUN, 0, 10)).isEmpty();
    }
}
