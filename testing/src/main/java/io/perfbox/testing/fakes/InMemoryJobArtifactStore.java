package io.perfbox.testing.fakes;

import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.ScanReport;
import io.perfbox.core.log.BoundedLog;
import io.perfbox.core.port.JobArtifactStore;
import io.perfbox.core.port.LogSlice;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** A JobArtifactStore in maps, for unit tests. */
public class InMemoryJobArtifactStore implements JobArtifactStore {
    private final Map<JobId, Map<LogKind, BoundedLog>> logs = new ConcurrentHashMap<>();
    private final Map<JobId, ScanReport> scanReports = new ConcurrentHashMap<>();
    private final int headBytes;
    private final int tailBytes;

    public InMemoryJobArtifactStore() {
        this(BoundedLog.DEFAULT_HEAD_BYTES, BoundedLog.DEFAULT_TAIL_BYTES);
    }

    /** Logs written as they are produced keep this many bytes from their start and from their end. */
    public InMemoryJobArtifactStore(int headBytes, int tailBytes) {
        this.headBytes = headBytes;
        this.tailBytes = tailBytes;
    }

    private void put(JobId id, LogKind kind, BoundedLog log) {
        logs.compute(id, (k, byKind) -> {
            Map<LogKind, BoundedLog> updated = byKind == null ? new EnumMap<>(LogKind.class) : byKind;
            updated.put(kind, log);
            return updated;
        });
    }

    private Optional<BoundedLog> find(JobId id, LogKind kind) {
        return Optional.ofNullable(logs.getOrDefault(id, Map.of()).get(kind));
    }

    @Override
    public void saveLog(JobId id, LogKind kind, CapturedLog log) {
        put(id, kind, BoundedLog.whole(log));
    }

    @Override
    public Optional<CapturedLog> log(JobId id, LogKind kind) {
        return find(id, kind).map(BoundedLog::toCapturedLog);
    }

    @Override
    public LogWriter openLog(JobId id, LogKind kind) {
        BoundedLog log = new BoundedLog(headBytes, tailBytes);
        put(id, kind, log);
        return new LogWriter() {
            @Override
            public void write(byte[] bytes, int offset, int length) {
                log.append(bytes, offset, length);
            }

            @Override
            public void close() {
                log.complete();
            }
        };
    }

    @Override
    public Optional<LogSlice> readLog(JobId id, LogKind kind, long offset, int maxBytes) {
        return find(id, kind).map(l -> l.read(offset, maxBytes));
    }

    @Override
    public void saveScanReport(JobId id, ScanReport report) {
        scanReports.put(id, report);
    }

    @Override
    public Optional<ScanReport> scanReport(JobId id) {
        return Optional.ofNullable(scanReports.get(id));
    }

    @Override
    public void deleteAll(JobId id) {
        logs.remove(id);
        scanReports.remove(id);
    }

    /** Whether any log or report is kept for the job, to catch artifacts left behind. */
    public boolean holdsAnythingFor(JobId id) {
        return logs.containsKey(id) || scanReports.containsKey(id);
    }
}
