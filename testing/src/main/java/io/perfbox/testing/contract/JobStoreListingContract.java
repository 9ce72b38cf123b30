package io.perfbox.testing.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.core.domain.Failure;
import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.port.JobStore;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The listing half of {@link JobStoreContract}: an owner's jobs newest first, in pages whose tokens are positions
 * ({@code PagePosition}), filtered by status. Its fixtures (an owner, a clock, a new job; package-private, so that the adapters' own helpers of those names stay theirs) serve both halves.
 */
public abstract class JobStoreListingContract {

    protected abstract JobStore store();

    final String owner = "owner-" + UUID.randomUUID();
    Instant clock = Instant.parse("2026-01-01T00:00:00Z");

    Job newJob() {
        clock = clock.plus(1, ChronoUnit.SECONDS);
        return Job.queued(JobId.random(), owner, "name", "description", clock);
    }

    @Test
    void listIsNewestFirstAndPagesCoverEveryJobOnce() {
        List<JobId> created = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            Job j = newJob();
            store().create(j, Optional.empty());
            created.add(0, j.id());
        }
        List<JobId> seen = new ArrayList<>();
        Optional<String> token = Optional.empty();
        int pages = 0;
        do {
            JobStore.JobPage page = store().list(owner, Optional.empty(), 3, token);
            assertThat(page.jobs().size()).isLessThanOrEqualTo(3);
            page.jobs().forEach(j -> seen.add(j.id()));
            token = page.nextToken();
            pages++;
        } while (token.isPresent() && pages < 10);
        assertThat(seen).containsExactlyElementsOf(created);
    }

    @Test
    void pagingIsStableWhenJobsAreInsertedBetweenPages() {
        List<JobId> before = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Job j = newJob();
            store().create(j, Optional.empty());
            before.add(0, j.id());
        }
        JobStore.JobPage first = store().list(owner, Optional.empty(), 2, Optional.empty());
        for (int i = 0; i < 3; i++) {
            store().create(newJob(), Optional.empty());
        }
        List<JobId> seen = new ArrayList<>();
        first.jobs().forEach(j -> seen.add(j.id()));
        Optional<String> token = first.nextToken();
        while (token.isPresent()) {
            JobStore.JobPage page = store().list(owner, Optional.empty(), 2, token);
            page.jobs().forEach(j -> seen.add(j.id()));
            token = page.nextToken();
        }
        assertThat(seen).containsExactlyElementsOf(before);
    }

    @Test
    void listFiltersByStatusAndFillsPages() {
        Set<JobId> failed = new HashSet<>();
        for (int i = 0; i < 9; i++) {
            Job j = newJob();
            store().create(j, Optional.empty());
            if (i % 3 == 0) {
                store().update(j.failed(Failure.of(FailureCode.BUILD_FAILED, "x"), clock), EnumSet.of(JobStatus.QUEUED));
                failed.add(j.id());
            }
        }
        JobStore.JobPage page = store().list(owner, Optional.of(JobStatus.FAILED), 2, Optional.empty());
        assertThat(page.jobs()).hasSize(2).allMatch(j -> j.status() == JobStatus.FAILED);
        JobStore.JobPage rest = store().list(owner, Optional.of(JobStatus.FAILED), 2, page.nextToken());
        assertThat(rest.jobs()).hasSize(1);
        assertThat(rest.nextToken()).isEmpty();
        Set<JobId> all = new HashSet<>();
        page.jobs().forEach(j -> all.add(j.id()));
        rest.jobs().forEach(j -> all.add(j.id()));
        assertThat(all).isEqualTo(failed);
    }

    @Test
    void listShowsOnlyTheOwnersJobs() {
        store().create(newJob(), Optional.empty());
        store().create(Job.queued(JobId.random(), "someone-else-" + UUID.randomUUID(), null, null, clock), Optional.empty());
        assertThat(store().list(owner, Optional.empty(), 100, Optional.empty()).jobs())
                .hasSize(1).allMatch(j -> j.owner().equals(owner));
    }

    @Test
    void lastPageHasNoToken() {
        store().create(newJob(), Optional.empty());
        JobStore.JobPage page = store().list(owner, Optional.empty(), 5, Optional.empty());
        assertThat(page.jobs()).hasSize(1);
        assertThat(page.nextToken()).isEmpty();
    }

    @Test
    void aTokenNotOfThePositionFormIsRefused() {
        store().create(newJob(), Optional.empty());
        // Half a second before the only job: a position of the right form, with no job before it.
        String good = "20260101T000000500000000Z_" + UUID.randomUUID();
        for (String bad : List.of("not-a-token!", "", good + "0", good.substring(1), good.replace('Z', 'z'),
                good.replace("_", "#"), good.toUpperCase(Locale.ROOT), "JOB#" + UUID.randomUUID())) {
            assertThatThrownBy(() -> store().list(owner, Optional.empty(), 5, Optional.of(bad)))
                    .as("token %s", bad).isInstanceOf(JobStore.InvalidPageTokenException.class);
        }
        assertThat(store().list(owner, Optional.empty(), 5, Optional.of(good)).jobs()).isEmpty();
    }

    @Test
    void anyTokenOfThePositionFormListsTheOwnersJobsCreatedBeforeIt() {
        List<Job> oldestFirst = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Job job = newJob();
            store().create(job, Optional.empty());
            oldestFirst.add(job);
        }
        // Between the second and the third job, naming no job at all; and a date no calendar has.
        Instant between = oldestFirst.get(1).createdAt().plusMillis(500);
        String handMade = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSSSSSSSS'Z'")
                .withZone(ZoneOffset.UTC).format(between) + "_" + UUID.randomUUID();
        assertThat(store().list(owner, Optional.empty(), 10, Optional.of(handMade)).jobs())
                .containsExactly(oldestFirst.get(1), oldestFirst.get(0));
        assertThat(store().list(owner, Optional.empty(), 10, Optional.of("99991399T999999999999999Z_" + UUID.randomUUID()))
                .jobs()).hasSize(4);
        assertThat(store().list(owner, Optional.empty(), 10, Optional.of("00000000T000000000000000Z_" + UUID.randomUUID()))
                .jobs()).isEmpty();
    }

    @Test
    void aTokenOfAnotherOwnersPageListsOnlyTheCallersOwnJobs() {
        String other = "other-" + UUID.randomUUID();
        List<Job> mine = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Job job = newJob();
            store().create(job, Optional.empty());
            mine.add(job);
            clock = clock.plus(1, ChronoUnit.SECONDS);
            store().create(Job.queued(JobId.random(), other, "theirs", null, clock), Optional.empty());
        }
        String theirs = store().list(other, Optional.empty(), 1, Optional.empty()).nextToken().orElseThrow();
        // Their newest job is newer than all of mine: their token is a position before which all mine lie.
        assertThat(store().list(owner, Optional.empty(), 10, Optional.of(theirs)).jobs())
                .containsExactlyElementsOf(mine.reversed()).allMatch(j -> j.owner().equals(owner));
        String mineToken = store().list(owner, Optional.empty(), 1, Optional.empty()).nextToken().orElseThrow();
        assertThat(store().list(other, Optional.empty(), 10, Optional.of(mineToken)).jobs())
                .hasSize(2).allMatch(j -> j.owner().equals(other));
    }

    @Test
    void statusFilteredPagesAreNewestFirstAndCoverEveryMatchOnce() {
        List<JobId> failedNewestFirst = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Job j = newJob();
            store().create(j, Optional.empty());
            if (i % 2 == 1) {
                store().update(j.failed(Failure.of(FailureCode.RUN_FAILED, "x"), clock), EnumSet.of(JobStatus.QUEUED));
                failedNewestFirst.add(0, j.id());
            }
        }
        List<JobId> seen = new ArrayList<>();
        Optional<String> token = Optional.empty();
        int pages = 0;
        do {
            JobStore.JobPage page = store().list(owner, Optional.of(JobStatus.FAILED), 2, token);
            assertThat(page.jobs()).hasSizeLessThanOrEqualTo(2).allMatch(j -> j.status() == JobStatus.FAILED);
            page.jobs().forEach(j -> seen.add(j.id()));
            token = page.nextToken();
            pages++;
        } while (token.isPresent() && pages < 10);
        assertThat(seen).containsExactlyElementsOf(failedNewestFirst);
    }

    @Test
    void pagesDoNotSkipOrRepeatJobsCreatedAtTheSameInstant() {
        Instant same = clock.plusSeconds(60);
        Set<JobId> created = new HashSet<>();
        for (int i = 0; i < 7; i++) {
            Job j = Job.queued(JobId.random(), owner, null, null, same);
            store().create(j, Optional.empty());
            created.add(j.id());
        }
        List<JobId> seen = new ArrayList<>();
        Optional<String> token = Optional.empty();
        int pages = 0;
        do {
            JobStore.JobPage page = store().list(owner, Optional.empty(), 2, token);
            page.jobs().forEach(j -> seen.add(j.id()));
            token = page.nextToken();
            pages++;
        } while (token.isPresent() && pages < 10);
        assertThat(seen).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(created);
    }
}
