package io.perfbox.core.port;

import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.ScanReport;
import java.util.Optional;

/** A job's by-products a customer can read: bounded build and run logs, and the scan report. */
public interface JobArtifactStore {
    void saveLog(JobId id, LogKind kind, CapturedLog log);

    Optional<CapturedLog> log(JobId id, LogKind kind);

    void saveScanReport(JobId id, ScanReport report);

    Optional<ScanReport> scanReport(JobId id);

    /** Removes everything stored for the job. */
    void deleteAll(JobId id);

    enum LogKind { BUILD, RUN }

    /** Output kept within a bound; truncated says whether anything was dropped. */
    record CapturedLog(String text, boolean truncated) {
        public static final CapturedLog EMPTY = new CapturedLog("", false);
    }
}
