package io.perfbox.testing.fakes;

import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.JobWorkspace;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A JobWorkspace in memory. Each prepared job's /data holds the files and links written to it ({@link #write},
 * {@link #link}: what a simulated run leaves), and holds to JobWorkspaceContract; a job whose /data has no perf.json
 * reads whatever the test said for every job ({@link #setPerfJson}; nothing by default). Records which workspaces
 * were prepared and discarded.
 */
public class InMemoryJobWorkspace implements JobWorkspace {
    private static final String RESULT = "perf.json";
    private volatile ResultFile result = new Missing();
    /** Per prepared job: its /data's entries by name, each a byte[] (a file) or a {@link Link}. */
    private final Map<JobId, Map<String, Object>> data = new ConcurrentHashMap<>();

    /** A symbolic link a run made in its /data. */
    public record Link(String target) {
    }
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
        data.put(id, new ConcurrentHashMap<>());
    }

    /** Writes {@code name} into the job's /data, as its run would; fails when the job has no workspace. */
    public void write(JobId id, String name, byte[] content) {
        of(id).put(name, content.clone());
    }

    /** Makes {@code name} in the job's /data a symbolic link to {@code target}; fails when the job has no workspace. */
    public void link(JobId id, String name, String target) {
        of(id).put(name, new Link(target));
    }

    /** Whether the job has a workspace (prepared, not discarded since). */
    public boolean exists(JobId id) {
        return data.containsKey(id);
    }

    private Map<String, Object> of(JobId id) {
        Map<String, Object> files = data.get(id);
        if (files == null) {
            throw new IllegalStateException("no workspace for job " + id + ": /data: No such file or directory");
        }
        return files;
    }

    /** Like the real adapter, content over maxBytes is reported as TooLarge rather than returned; a link is not followed. */
    @Override
    public ResultFile readResult(JobId id, int maxBytes) {
        Object own = data.getOrDefault(id, Map.of()).get(RESULT);
        if (own instanceof Link) {
            return new NotRegularFile("symbolic link");
        }
        ResultFile current = own instanceof byte[] b ? new Content(b.clone()) : result;
        if (current instanceof Content c && c.bytes().length > maxBytes) {
            return new TooLarge(maxBytes);
        }
        return current;
    }

    @Override
    public void discard(JobId id) {
        discarded.add(id);
        data.remove(id);
    }

    public List<JobId> prepared() {
        return List.copyOf(prepared);
    }

    public List<JobId> discarded() {
        return List.copyOf(discarded);
    }
}
