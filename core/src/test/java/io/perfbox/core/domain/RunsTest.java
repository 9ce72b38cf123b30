package io.perfbox.core.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RunsTest {

    private static Runs of(double... values) {
        Runs runs = new Runs(values.length, List.of());
        for (double v : values) {
            runs = runs.with(new Runs.Run(runs.next(), v, Map.of(), Duration.ofSeconds(1)));
        }
        return runs;
    }

    @Test
    void theMedianOfAnOddCountIsTheMiddleValue() {
        assertThat(of(3, 1, 2).median()).contains(2.0);
        assertThat(of(7).median()).contains(7.0);
        assertThat(of(5, -1, 9, 9, 0).median()).contains(5.0);
    }

    @Test
    void theMedianOfAnEvenCountIsTheMeanOfTheTwoMiddleValues() {
        assertThat(of(1, 4).median()).contains(2.5);
        assertThat(of(10, 1, 3, 4).median()).contains(3.5);
        assertThat(of(Double.MAX_VALUE, Double.MAX_VALUE).median()).contains(Double.MAX_VALUE);
        assertThat(of(-Double.MAX_VALUE, Double.MAX_VALUE).median()).contains(0.0);
    }

    @Test
    void minMaxAndTheRelativeSpread() {
        Runs runs = of(0.9, 1.1, 1.0);
        assertThat(runs.min()).contains(0.9);
        assertThat(runs.max()).contains(1.1);
        assertThat(runs.spread().orElseThrow()).isCloseTo(0.2, Offset.offset(1e-12));
        // relative to the median's size: a negative median gives a positive spread
        assertThat(of(-2, -1, -3).spread()).contains(1.0);
    }

    @Test
    void equalValuesHaveNoSpreadAndAZeroMedianOfDifferentValuesHasNone() {
        assertThat(of(0.5).spread()).contains(0.0);
        assertThat(of(0, 0).spread()).contains(0.0);
        assertThat(of(-1, 0, 1).spread()).isEmpty();
        assertThat(Runs.SINGLE.spread()).isEmpty();
        assertThat(Runs.SINGLE.median()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 0, 11, 100})
    void aCountOutsideOneToTenIsRefused(int requested) {
        assertThatThrownBy(() -> Runs.of(requested)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void runsAreRecordedInOrderAndNoMoreThanAskedFor() {
        Runs two = Runs.of(2);
        assertThatThrownBy(() -> two.with(new Runs.Run(2, 1, Map.of(), null))).isInstanceOf(IllegalArgumentException.class);
        Runs done = two.with(new Runs.Run(1, 1, Map.of(), null)).with(new Runs.Run(2, 2, Map.of(), null));
        assertThat(done.complete()).isTrue();
        assertThatThrownBy(() -> done.with(new Runs.Run(3, 1, Map.of(), null))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aJobStoredBeforeRunsSucceededInOneRunOfItsValue() {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        Job old = new Job(JobId.random(), "o", null, null, JobStatus.SUCCEEDED, null, 0.25, t, t, StageTimes.NONE, null,
                List.of(), Map.of("loss", 1.0), null);
        assertThat(old.runs().requested()).isEqualTo(1);
        assertThat(old.runs().completed()).containsExactly(new Runs.Run(1, 0.25, Map.of("loss", 1.0), null));
        Job queued = Job.queued(JobId.random(), "o", null, null, t);
        assertThat(queued.runs()).isEqualTo(Runs.SINGLE);
        assertThat(queued.succeeded(0.5, t).runs().values()).containsExactly(0.5);
    }

    @Test
    void aJobKeepsItsRunsThroughEveryChange() {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        Job running = Job.queued(JobId.random(), "o", null, null, 3, t).advancedTo(JobStatus.RUNNING, t)
                .withRun(new Runs.Run(1, 2, Map.of(), null), t);
        assertThat(running.withWarning("w", t).runs().values()).containsExactly(2.0);
        assertThat(running.cancelled(t).runs().values()).containsExactly(2.0);
        assertThat(running.failed(Failure.of(FailureCode.RUN_FAILED, "x"), t).runs().values()).containsExactly(2.0);
        assertThat(running.withReceipt(RunReceipt.EMPTY).runs().requested()).isEqualTo(3);
        assertThatThrownBy(() -> running.succeededOverRuns(t)).isInstanceOf(IllegalStateException.class);
    }
}
