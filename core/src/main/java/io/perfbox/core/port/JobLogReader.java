package io.perfbox.core.port;

import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.JobArtifactStore.LogKind;
import java.util.Optional;

/** Reads a job's log on from an offset while it is being written and after ({@link LogSlice}). */
public interface JobLogReader {
    /**
     * At most {@code maxBytes} from {@code offset} (a count of bytes appended, dropped ones too; past the end reads
     * at the end); empty when the job has no log of this kind (yet).
     */
    Optional<LogSlice> readLog(JobId id, LogKind kind, long offset, int maxBytes);
}
