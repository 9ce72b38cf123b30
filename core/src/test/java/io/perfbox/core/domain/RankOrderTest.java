package io.perfbox.core.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RankOrderTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static Job succeeded(int second, double perf, Map<String, Double> metrics) {
        Instant at = T0.plusSeconds(second);
        return Job.queued(new JobId(UUID.randomUUID().toString()), "o", "s" + second, null, at)
                .succeeded(perf, metrics, at.plusSeconds(1));
    }

    @Test
    void descendingRanksTheHighestFirstAndEqualValuesTheEarlierSubmissionFirst() {
        Job late = succeeded(3, 0.9, Map.of());
        Job low = succeeded(1, 0.1, Map.of());
        Job early = succeeded(2, 0.9, Map.of());
        List<Job> jobs = new ArrayList<>(List.of(late, low, early));
        jobs.sort(RankOrder.DESC.ranking(Metrics.PERFORMANCE));
        assertThat(jobs).containsExactly(early, late, low);
        jobs.sort(RankOrder.ASC.ranking(Metrics.PERFORMANCE));
        assertThat(jobs).containsExactly(low, early, late);
    }

    @Test
    void rankingByANamedMetricUsesItsValueNotThePerformance() {
        Job a = succeeded(1, 0.9, Map.of("loss", 0.5));
        Job b = succeeded(2, 0.1, Map.of("loss", 0.2));
        List<Job> jobs = new ArrayList<>(List.of(a, b));
        jobs.sort(RankOrder.ASC.ranking("loss"));
        assertThat(jobs).containsExactly(b, a);
    }

    @Test
    void minusZeroAndZeroAreEqualValues() {
        Job minusZero = succeeded(2, -0.0, Map.of());
        Job zero = succeeded(1, 0.0, Map.of());
        List<Job> jobs = new ArrayList<>(List.of(minusZero, zero));
        jobs.sort(RankOrder.DESC.ranking(Metrics.PERFORMANCE));
        assertThat(jobs).containsExactly(zero, minusZero);
    }

    @ParameterizedTest
    @ValueSource(strings = {"asc", "ASC", " Asc "})
    void orderIsParsedWhateverTheCase(String raw) {
        assertThat(RankOrder.parse(raw)).isEqualTo(RankOrder.ASC);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "up", "ascending", "1"})
    void anyOtherOrderIsBadInput(String raw) {
        assertThatThrownBy(() -> RankOrder.parse(raw)).isInstanceOf(InvalidInputException.class)
                .hasMessage("order must be asc or desc")
                .extracting(e -> ((InvalidInputException) e).reason()).isEqualTo("invalid-order");
    }

    @Test
    void aJobRefusesAnInvalidMetricName() {
        assertThatThrownBy(() -> succeeded(1, 1, Map.of("bad name", 1.0))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> succeeded(1, 1, Map.of("x", Double.NaN))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theLeaderboardNamePerformanceIsThePrimaryValue() {
        Job job = succeeded(1, 0.7, Map.of("accuracy", 0.6));
        assertThat(job.metric(Metrics.PERFORMANCE)).contains(0.7);
        assertThat(job.metric("accuracy")).contains(0.6);
        assertThat(job.metric("loss")).isEmpty();
    }
}
