package io.perfbox.testing.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.DockerfileStore;
import org.junit.jupiter.api.Test;

/** What every DockerfileStore adapter must do. Subclasses provide a store; each test uses fresh job ids. */
public abstract class DockerfileStoreContract {

    protected abstract DockerfileStore store();

    private static final Dockerfile SIMPLE = new Dockerfile("FROM debian:bookworm\nCMD [\"true\"]\n");

    @Test
    void savedDockerfileIsLoadedVerbatim() {
        JobId id = JobId.random();
        // Line endings, trailing blanks, tabs, non-ASCII text and a comment must all come back byte for byte.
        Dockerfile tricky = new Dockerfile("# syntax=docker/dockerfile:1\r\nFROM debian:bookworm  \r\n"
                + "LABEL description=\"perf – 性能 ✓\"\n\tRUN echo \\\n  done\n\n");
        store().save(id, tricky);
        assertThat(store().load(id)).contains(tricky);
    }

    @Test
    void largestAllowedDockerfileRoundTrips() {
        JobId id = JobId.random();
        String head = "FROM debian:bookworm\n# ";
        Dockerfile largest = new Dockerfile(head + "x".repeat(Dockerfile.MAX_BYTES - head.length()));
        store().save(id, largest);
        assertThat(store().load(id)).contains(largest);
    }

    @Test
    void unknownJobHasNoDockerfile() {
        assertThat(store().load(JobId.random())).isEmpty();
    }

    @Test
    void savingAgainReplacesTheDockerfile() {
        JobId id = JobId.random();
        store().save(id, SIMPLE);
        Dockerfile second = new Dockerfile("FROM debian:12\n");
        store().save(id, second);
        assertThat(store().load(id)).contains(second);
    }

    @Test
    void deleteRemovesOnlyThatJobsDockerfile() {
        JobId gone = JobId.random();
        JobId kept = JobId.random();
        store().save(gone, SIMPLE);
        store().save(kept, SIMPLE);
        store().delete(gone);
        assertThat(store().load(gone)).isEmpty();
        assertThat(store().load(kept)).contains(SIMPLE);
    }

    @Test
    void deletingTwiceOrDeletingAnUnknownJobIsHarmless() {
        JobId id = JobId.random();
        store().save(id, SIMPLE);
        store().delete(id);
        store().delete(id);
        store().delete(JobId.random());
        assertThat(store().load(id)).isEmpty();
    }
}
