package io.perfbox.core.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PerformanceResultTest {

    private static PerformanceResult.Outcome parse(String s) {
        return PerformanceResult.parse(s.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"perf\":0.99}|0.99",
            "{\"performance\":1}|1.0",
            "'  {\"perf\" : -3.5, \"epochs\": 10, \"notes\": \"ok\"}  '|-3.5",
            "0.5|0.5",
            "-3|-3.0",
            "1e3|1000.0"})
    void acceptedShapes(String content, double expected) {
        assertThat(parse(content)).isEqualTo(new PerformanceResult.Valid(expected));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "", "   ", "NaN", "Infinity", "{\"perf\":NaN}", "\"0.9\"", "{\"perf\":\"0.9\"}", "true", "null", "[0.9]",
            "{\"perf\":1,\"performance\":1}", "{\"perf\":1,\"perf\":2}", "{\"perf\":1} x", "1 2", "{\"perf\":1e400}",
            "1e400", "{\"perf\":{\"v\":1}}", "{\"score\":1}", "{\"perf\":null}", "{perf:1}", "{\"perf\":0.9"})
    void rejectedShapes(String content) {
        assertThat(parse(content)).isInstanceOf(PerformanceResult.Invalid.class);
    }

    @org.junit.jupiter.api.Test
    void surroundingWhitespaceAndNewlinesAreFine() {
        assertThat(parse("\n 42 \n")).isEqualTo(new PerformanceResult.Valid(42));
        assertThat(parse("{\"perf\":0.99}\n")).isEqualTo(new PerformanceResult.Valid(0.99));
    }

    @org.junit.jupiter.api.Test
    void nonUtf8AndOversizedContentAreRejected() {
        assertThat(PerformanceResult.parse(new byte[] {'1', (byte) 0xFF})).isInstanceOf(PerformanceResult.Invalid.class);
        byte[] big = new byte[PerformanceResult.MAX_BYTES + 1];
        java.util.Arrays.fill(big, (byte) ' ');
        big[0] = '1';
        assertThat(PerformanceResult.parse(big)).isInstanceOf(PerformanceResult.Invalid.class);
    }
}
