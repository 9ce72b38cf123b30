package io.perfbox.adapter.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.domain.Failure;
import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.port.JobStore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteJobStorePagingTest {
    private static final Comparator<Job> NEWEST_FIRST =
            Comparator.comparing(Job::createdAt).thenComparing(j -> j.id().value()).reversed();

    @TempDir
    Path dataDir;

    private SqliteJobStore store;
    private final Instant t0 = Instant.parse("2026-02-01T00:00:00Z");

    @BeforeEach
    void open() {
        store = SqliteJobStore.open(dataDir);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void twoThousandJobsArePagedNewestFirstWithoutDuplicatesOrGaps() {
        List<Job> mine = createMany(2_000);

        assertThat(pageThrough(Optional.empty(), 37)).containsExactlyElementsOf(mine.stream().sorted(NEWEST_FIRST).toList());
    }

    @Test
    void twoThousandJobsArePagedByStatusWithoutDuplicatesOrGaps() {
        List<Job> mine = createMany(2_000);
        List<Job> failed = new ArrayList<>();
        for (int i = 0; i < mine.size(); i += 3) {
            Job f = mine.get(i).failed(Failure.of(FailureCode.RUN_FAILED, "x"), t0);
            assertThat(store.update(f, EnumSet.of(JobStatus.QUEUED))).isTrue();
            failed.add(f);
        }
        List<Job> queued = mine.stream().filter(j -> failed.stream().noneMatch(f -> f.id().equals(j.id()))).toList();

        assertThat(pageThrough(Optional.of(JobStatus.FAILED), 50)).containsExactlyElementsOf(failed.stream().sorted(NEWEST_FIRST).toList());
        assertThat(pageThrough(Optional.of(JobStatus.QUEUED), 50)).containsExactlyElementsOf(queued.stream().sorted(NEWEST_FIRST).toList());
        assertThat(pageThrough(Optional.of(JobStatus.RUNNING), 50)).isEmpty();
    }

    @Test
    void exactlyFullLastPageCarriesNoToken() {
        createMany(10);
        JobStore.JobPage first = store.list("me", Optional.empty(), 5, Optional.empty());
        JobStore.JobPage second = store.list("me", Optional.empty(), 5, first.nextToken());
        assertThat(second.jobs()).hasSize(5);
        assertThat(second.nextToken()).isEmpty();
    }

    @Test
    void tokenOfTheUnfilteredListContinuesAFilteredList() {
        List<Job> jobs = createMany(4).stream().sorted(NEWEST_FIRST).toList();
        String token = store.list("me", Optional.empty(), 1, Optional.empty()).nextToken().orElseThrow();
        assertThat(store.list("me", Optional.of(JobStatus.QUEUED), 10, Optional.of(token)).jobs())
                .containsExactlyElementsOf(jobs.subList(1, 4));
    }

    /** {@code n} jobs of "me", in groups of four sharing one createdAt, so ties are broken by id; and some of others. */
    private List<Job> createMany(int n) {
        List<Job> mine = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Instant at = t0.plusMillis(i / 4);
            Job job = Job.queued(JobId.random(), "me", "job " + i, null, at);
            store.create(job, Optional.empty());
            mine.add(job);
            if (i % 10 == 0) {
                store.create(Job.queued(JobId.random(), "someone-else", null, null, at), Optional.empty());
            }
        }
        return mine;
    }

    private List<Job> pageThrough(Optional<JobStatus> status, int limit) {
        List<Job> seen = new ArrayList<>();
        Optional<String> token = Optional.empty();
        do {
            JobStore.JobPage page = store.list("me", status, limit, token);
            assertThat(page.jobs()).hasSizeLessThanOrEqualTo(limit);
            if (page.nextToken().isPresent()) {
                assertThat(page.jobs()).hasSize(limit);
            }
            seen.addAll(page.jobs());
            token = page.nextToken();
        } while (token.isPresent());
        return seen;
    }
}
