package io.perfbox.testing.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.JobWorkspace;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every JobWorkspace adapter must do: each job's /data starts empty and is its own, its result is read as a
 * plain file only (a link a run planted is never followed, in or out), and clean-up removes it all without
 * following links out of it. Subclasses give the workspace and plant files in a job's /data as a run would.
 */
public abstract class JobWorkspaceContract {
    private static final String RESULT = "perf.json";
    private final List<JobId> jobs = new ArrayList<>();

    /** A directory outside every workspace (a host's file a run would like to read or remove). */
    @TempDir
    protected Path outside;

    protected abstract JobWorkspace workspace();

    /** Writes {@code name} into the job's /data, as the job's run would. */
    protected abstract void write(JobId id, String name, byte[] content) throws Exception;

    /** Makes {@code name} in the job's /data a symbolic link to {@code target}, as the job's run could. */
    protected abstract void link(JobId id, String name, Path target) throws Exception;

    /** Whether anything of the job's workspace is left. */
    protected abstract boolean exists(JobId id);

    private JobId prepared() {
        JobId id = JobId.random();
        jobs.add(id);
        workspace().prepare(id);
        return id;
    }

    @AfterEach
    void discardEveryWorkspace() {
        jobs.forEach(workspace()::discard);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aPreparedWorkspaceIsThereAndHoldsNoResult() {
        JobId id = prepared();
        assertThat(exists(id)).isTrue();
        assertThat(workspace().readResult(id, 1024)).isInstanceOf(JobWorkspace.Missing.class);
    }

    @Test
    void theResultARunWroteIsReadByteForByte() throws Exception {
        JobId id = prepared();
        byte[] result = utf8("{\"perf\":0.99, \"note\":\"性能 ✓\"}\n");
        write(id, RESULT, result);
        assertThat(workspace().readResult(id, 1024)).isInstanceOfSatisfying(JobWorkspace.Content.class,
                c -> assertThat(c.bytes()).isEqualTo(result));
    }

    @Test
    void aResultOverTheLimitIsTooLargeAndOneAtTheLimitIsRead() throws Exception {
        JobId id = prepared();
        write(id, RESULT, new byte[101]);
        assertThat(workspace().readResult(id, 100)).isEqualTo(new JobWorkspace.TooLarge(100));
        assertThat(workspace().readResult(id, 101)).isInstanceOfSatisfying(JobWorkspace.Content.class,
                c -> assertThat(c.bytes()).hasSize(101));
    }

    @Test
    void aResultLinkedOutOfTheWorkspaceIsNotFollowed() throws Exception {
        Path secret = Files.writeString(outside.resolve("secret.json"), "{\"perf\":1e9}");
        JobId id = prepared();
        link(id, RESULT, secret);
        assertThat(workspace().readResult(id, 1024)).isInstanceOf(JobWorkspace.NotRegularFile.class);
    }

    @Test
    void aResultLinkedToAnotherFileOfTheWorkspaceIsNotFollowedEither() throws Exception {
        JobId id = prepared();
        write(id, "other.json", utf8("{\"perf\":1}"));
        link(id, RESULT, Path.of("other.json"));
        assertThat(workspace().readResult(id, 1024)).isInstanceOf(JobWorkspace.NotRegularFile.class);
    }

    @Test
    void preparingAgainStartsEmpty() throws Exception {
        JobId id = prepared();
        write(id, RESULT, utf8("{\"perf\":1}"));
        workspace().prepare(id);
        assertThat(workspace().readResult(id, 1024)).isInstanceOf(JobWorkspace.Missing.class);
    }

    @Test
    void eachJobHasAWorkspaceOfItsOwn() throws Exception {
        JobId writer = prepared();
        JobId other = prepared();
        write(writer, RESULT, utf8("{\"perf\":1}"));
        assertThat(workspace().readResult(other, 1024)).isInstanceOf(JobWorkspace.Missing.class);
        workspace().discard(other);
        assertThat(workspace().readResult(writer, 1024)).isInstanceOf(JobWorkspace.Content.class);
    }

    @Test
    void discardRemovesTheWorkspaceAndEverythingInIt() throws Exception {
        JobId id = prepared();
        write(id, RESULT, utf8("{\"perf\":1}"));
        write(id, "more", new byte[4096]);
        workspace().discard(id);
        assertThat(exists(id)).isFalse();
        assertThat(workspace().readResult(id, 1024)).isInstanceOf(JobWorkspace.Missing.class);
    }

    @Test
    void discardFollowsNoLinkOutOfTheWorkspace() throws Exception {
        Path hostDir = Files.createDirectories(outside.resolve("host"));
        Path hostFile = Files.writeString(hostDir.resolve("keep"), "the host's");
        JobId id = prepared();
        link(id, "escape", hostDir);
        link(id, "file", hostFile);
        workspace().discard(id);
        assertThat(exists(id)).isFalse();
        assertThat(hostFile).hasContent("the host's");
    }

    @Test
    void discardingTwiceOrAJobNeverPreparedIsHarmless() {
        JobId id = prepared();
        workspace().discard(id);
        workspace().discard(id);
        workspace().discard(JobId.random());
        assertThat(exists(id)).isFalse();
    }
}
