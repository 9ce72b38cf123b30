package io.perfbox.testing.fakes;

import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.JobWorkspace;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A JobWorkspace whose perf.json holds whatever the test says (nothing by default), for every job.
 * Records which workspaces were prepared and discarded.
 */
public class InMemoryJobWorkspace implements JobWorkspace {
    private volatile ResultFile result = new Missing();
    private final List<JobId> prepared = new CopyOnWriteArrayList<>();
    private final List<JobId> discarded = new CopyOnWriteArrayList<>();

    /** perf.json will contain {@code text} encoded as UTF-8. */
    public void setPerfJson(String text) {
        setPerfJson(text.getBytes(StandardCharsets.UTF_8));
    }

    public void setPerfJson(byte[] content) {
        result = new Content(content.clone());
    }

    /** What readResult reports instead of content, e.g. a NotRegularFile for a planted link. */
    public void setResultFile(ResultFile file) {
        result = file;
    }

    @Override
    public void prepare(JobId id) {
        prepared.add(id);
    }

    /** Like the real adapter, content over maxBytes is reported as TooLarge rather than returned. */
    @Override
    public ResultFile readResult(JobId id, int maxBytes) {
        ResultFile current = result;
        if (current instanceof Content c && c.bytes().length > maxBytes) {
            return new TooLarge(maxBytes);
        }
        return current;
    }

    @Override
    public void discard(JobId id) {
        discarded.add(id);
    }

    public List<JobId> prepared() {
        return List.copyOf(prepared);
    }

    public List<JobId> discarded() {
        return List.copyOf(discarded);
    }
}
