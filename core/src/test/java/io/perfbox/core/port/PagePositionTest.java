package io.perfbox.core.port;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PagePositionTest {

    @Test
    void aJobsPositionIsItsCreationTimeAndIdAsTheStoresSortKeyAndToken() {
        Job job = Job.queued(new JobId("3f2b8c9e-1d4a-4c1e-9a7b-2b1c0d9e8f7a"), "me", null, null,
                Instant.parse("2026-12-08T00:16:24.123456789Z"));
        PagePosition position = PagePosition.after(job);
        assertThat(position.sortKey()).isEqualTo("2026-12-08T00:16:24.123456789Z#3f2b8c9e-1d4a-4c1e-9a7b-2b1c0d9e8f7a");
        assertThat(position.token()).isEqualTo("20261208T001624123456789Z_3f2b8c9e-1d4a-4c1e-9a7b-2b1c0d9e8f7a")
                .matches(PagePosition.TOKEN_PATTERN);
        assertThat(PagePosition.parse(position.token())).isEqualTo(position);
        assertThat(position.jobId()).isEqualTo(job.id().value());
    }

    @Test
    void tokensSortAsTheirPositionsDo() {
        Random random = new Random(7);
        List<PagePosition> positions = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            Instant at = Instant.ofEpochSecond(1_700_000_000L + random.nextInt(1_000), random.nextInt(1_000_000_000));
            positions.add(PagePosition.after(Job.queued(JobId.random(), "me", null, null, at)));
        }
        List<PagePosition> bySortKey = positions.stream().sorted(Comparator.comparing(PagePosition::sortKey)).toList();
        List<PagePosition> byToken = positions.stream().sorted(Comparator.comparing(PagePosition::token)).toList();
        assertThat(byToken).isEqualTo(bySortKey);
        positions.forEach(p -> assertThat(PagePosition.parse(p.token())).isEqualTo(p));
    }

    @Test
    void everyStringOfTheTokensFormIsAPositionEvenOneNoCalendarHas() {
        String token = "99991399T999999999999999Z_" + UUID.randomUUID();
        assertThat(PagePosition.parse(token).sortKey()).startsWith("9999-13-99T99:99:99.999999999Z#");
        assertThat(PagePosition.parse(token).token()).isEqualTo(token);
    }

    @Test
    void aStringOfAnotherFormIsRefused() {
        String good = "20261208T001624123456789Z_" + UUID.randomUUID();
        for (String bad : new String[] {"", "x", good + " ", " " + good, good.replace("_", ""), good.replace('T', 't'),
                good.substring(0, good.length() - 1), "2026-12-08T00:16:24.123456789Z#" + UUID.randomUUID(),
                "20261208T001624123456789Z_" + UUID.randomUUID().toString().toUpperCase(Locale.ROOT),
                "eyJrIjoiMjAyNi0xMi0wOCJ9", good + "\n"}) {
            assertThatThrownBy(() -> PagePosition.parse(bad)).as(bad).isInstanceOf(JobStore.InvalidPageTokenException.class);
        }
        assertThatThrownBy(() -> PagePosition.parse(null)).isInstanceOf(JobStore.InvalidPageTokenException.class);
    }
}
