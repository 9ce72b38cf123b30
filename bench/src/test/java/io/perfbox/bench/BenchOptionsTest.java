package io.perfbox.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BenchOptionsTest {

    @Test
    void onlySelectsTheListedBenchmarks() {
        assertThat(Bench.parseOnly("4, 2, 12")).containsExactly(2, 4, 12);
    }

    @Test
    void onlyRejectsANumberWithoutABenchmark() {
        assertThatThrownBy(() -> Bench.parseOnly("2,13")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 to 12");
        assertThatThrownBy(() -> Bench.parseOnly("two")).isInstanceOf(IllegalArgumentException.class);
    }
}
