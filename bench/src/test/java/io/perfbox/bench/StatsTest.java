package io.perfbox.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {

    @Test
    void medianOfAnOddCountIsTheMiddleValue() {
        Stats s = Stats.of(List.of(5.0, 1.0, 3.0));
        assertThat(s.min()).isEqualTo(1.0);
        assertThat(s.median()).isEqualTo(3.0);
        assertThat(s.max()).isEqualTo(5.0);
    }

    @Test
    void medianOfAnEvenCountIsTheMeanOfTheTwoMiddleValues() {
        assertThat(Stats.of(List.of(4.0, 1.0, 2.0, 10.0)).median()).isEqualTo(3.0);
    }

    @Test
    void percentileIsNearestRank() {
        Stats s = Stats.of(List.of(1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0));
        assertThat(s.percentile(50)).isEqualTo(5.0);
        assertThat(s.percentile(99)).isEqualTo(10.0);
        assertThat(s.percentile(10)).isEqualTo(1.0);
    }

    @Test
    void anEmptySampleIsAnErrorNotANumber() {
        assertThatThrownBy(() -> Stats.of(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void minMedMaxShowsTheCount() {
        assertThat(Stats.of(List.of(1.0, 2.0)).minMedMax("s", 1)).isEqualTo("min 1.0 / median 1.5 / max 2.0 s (n=2)");
    }
}
