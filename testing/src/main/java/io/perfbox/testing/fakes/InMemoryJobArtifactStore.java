package io.perfbox.testing.fakes;

import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.ScanReport;
import io.perfbox.core.port.JobArtifactStore;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** A JobArtifactStore in maps, for unit tests. */
public class InMemoryJobArtifactStore implements JobArtifactStore {
    private final Map<JobId, Map<LogKind, CapturedLog>> logs = new ConcurrentHashMap<>();
    private final Map<JobId, ScanReport> scanReports = new ConcurrentHashMap<>();

    @Override
    public void saveLog(JobId id, LogKind kind, CapturedLog log) {
        logs.compute(id, (k, byKind) -> {
            Map<LogKind, CapturedLog> updated = byKind == null ? new EnumMap<>(LogKind.class) : byKind;
            updated.put(kind, log);
            return updated;
        });
    }

    @Override
    public Optional<CapturedLog> log(JobId id, LogKind kind) {
        return Optional.ofNullable(logs.getOrDefault(id, Map.of()).get(kind));
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
