package io.perfbox.core.port;

import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.ScanReport;
import java.util.Optional;

/**
 * A job's by-products a customer can read: bounded build and run logs, and the scan report. A log is either written
 * as it is produced ({@link #openLog}) or stored whole when its step ended ({@link #saveLog}: a step that ran
 * elsewhere); either way it is read on from an offset ({@link #readLog}) or whole ({@link #log}).
 */
public interface JobArtifactStore extends JobLogReader {
    /** Stores a log whole, complete, replacing any log of that kind (also one being written). */
    void saveLog(JobId id, LogKind kind, CapturedLog log);

    /** The log whole as text: its kept head and tail, the dropped middle named by one line ({@link #readLog}). */
    Optional<CapturedLog> log(JobId id, LogKind kind);

    /**
     * Starts the job's log of this kind afresh (replacing any), for output as it is produced: every append is
     * readable once it returns, and the store keeps the first and the last bytes within its bound however much is
     * appended (every byte is counted, so offsets stay valid). Closing the writer marks the log complete.
     */
    LogWriter openLog(JobId id, LogKind kind);

    /** Appends to one log; not for use by several threads at once. */
    interface LogWriter extends LogSink, AutoCloseable {
        /** Marks the log complete: nothing more is appended. */
        @Override
        void close();
    }

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
