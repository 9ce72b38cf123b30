package io.perfbox.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Benchmark 5's summary row: the start-up figure against its target, issue 22's "≤ 8× the trivial handler". */
class LambdaStartupBenchTest {

    @Test
    void theStartUpRowShowsTheRatioAgainstATargetOfEightTimesTheTrivialHandler() {
        Outcome row = LambdaStartupBench.startupOutcome(Stats.of(List.of(300.0, 310.0, 320.0)),
                Stats.of(List.of(39.0, 40.0, 41.0)));

        assertThat(row.id()).isEqualTo("5");
        assertThat(row.measured()).isEqualTo("310 ms");
        assertThat(row.baseline()).isEqualTo("40 ms trivial");
        assertThat(row.ratio()).isEqualTo("7.75");
        assertThat(row.target()).isEqualTo("≤ 8.0");
        assertThat(row.verdict()).isEqualTo(Outcome.Verdict.MET);
    }

    @Test
    void aRatioOverEightIsMissed() {
        Outcome row = LambdaStartupBench.startupOutcome(Stats.of(List.of(330.0)), Stats.of(List.of(40.0)));

        assertThat(row.ratio()).isEqualTo("8.25");
        assertThat(row.verdict()).isEqualTo(Outcome.Verdict.MISSED);
    }
}
