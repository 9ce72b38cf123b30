package io.perfbox.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BenchOptionsTest {

    @Test
    void onlySelectsTheListedBenchmarks() {
        assertThat(Bench.parseOnly("4, 2")).containsExactly(2, 4);
    }

    @Test
    void onlyRejectsANumberWithoutABenchmark() {
        assertThatThrownBy(() -> Bench.parseOnly("2,12")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 to 11");
        assertThatThrownBy(() -> Bench.parseOnly("two")).isInstanceOf(IllegalArgumentException.class);
    }
}
