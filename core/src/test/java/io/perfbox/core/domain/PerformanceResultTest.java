package io.perfbox.core.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PerformanceResultTest {

    private static PerformanceResult.Outcome parse(String content) {
        return PerformanceResult.parse(content.getBytes(StandardCharsets.UTF_8));
    }

    private static String invalidReason(PerformanceResult.Outcome outcome) {
        assertThat(outcome).isInstanceOf(PerformanceResult.Invalid.class);
        return ((PerformanceResult.Invalid) outcome).reason();
    }

    /** {@code size} bytes: the number 1 padded with trailing spaces. */
    private static byte[] paddedNumber(int size) {
        byte[] bytes = new byte[size];
        Arrays.fill(bytes, (byte) ' ');
        bytes[0] = '1';
        return bytes;
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"perf\":0.99}|0.99",
            "{\"performance\":1}|1.0",
            "0.5|0.5",
            "-3|-3.0",
            "1e3|1000.0",
            "{\"perf\":-2.5E-3}|-0.0025"})
    void acceptedShapesGiveTheExactNumber(String content, double expected) {
        assertThat(parse(content)).isEqualTo(new PerformanceResult.Valid(expected));
    }

    @ParameterizedTest
    @ValueSource(strings = {" {\"perf\":0.99} ", "\n{\"perf\":0.99}\n", "\t\r\n{ \"perf\" :\n0.99 }\r\n", "\n0.99\n"})
    void whitespaceAndNewlinesAroundTheValueAreFine(String content) {
        assertThat(parse(content)).isEqualTo(new PerformanceResult.Valid(0.99));
    }

    @Test
    void extraFieldsAreIgnored() {
        assertThat(parse("{\"model\":\"x\",\"perf\":0.75,\"epochs\":3,\"detail\":{\"loss\":[1,2]}}"))
                .isEqualTo(new PerformanceResult.Valid(0.75));
    }

    @ParameterizedTest
    @ValueSource(strings = {"NaN", "Infinity", "-Infinity", "{\"perf\":NaN}", "{\"perf\":Infinity}"})
    void nonFiniteLiteralsAreRejected(String content) {
        assertThat(invalidReason(parse(content))).contains("not valid JSON");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"perf\":\"0.9\"}|must be a number, not string",
            "{\"perf\":true}|must be a number, not boolean",
            "{\"perf\":null}|must be a number, not null",
            "{\"perf\":[0.9]}|must be a number, not array",
            "{\"perf\":{\"v\":1}}|must be a number, not object",
            "\"0.9\"|not string",
            "true|not boolean",
            "null|not null",
            "[0.9]|not array",
            "{\"score\":0.9}|no \"perf\" field",
            "{\"perf\":1,\"performance\":1}|both"})
    void valuesThatAreNotASingleNumberAreRejectedSayingWhy(String content, String reasonPart) {
        assertThat(invalidReason(parse(content))).contains(reasonPart);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"perf\":1,\"perf\":2}", "{\"perf\":1} x", "{\"perf\":1}{\"perf\":2}", "1 2",
            "{perf:1}", "{\"perf\":0.9", "'0.9'", "+1", "0x10"})
    void malformedJsonIsRejected(String content) {
        assertThat(invalidReason(parse(content))).startsWith("perf.json is not valid JSON");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\n\t\r\n"})
    void emptyOrBlankIsRejected(String content) {
        assertThat(invalidReason(parse(content))).isEqualTo("perf.json is empty");
    }

    @Test
    void nonUtf8IsRejected() {
        assertThat(invalidReason(PerformanceResult.parse(new byte[] {'0', '.', '9', (byte) 0xFF})))
                .isEqualTo("perf.json is not UTF-8 text");
    }

    @Test
    void contentUpToMaxBytesIsParsedAndOneByteMoreIsRejected() {
        assertThat(PerformanceResult.parse(paddedNumber(PerformanceResult.MAX_BYTES)))
                .isEqualTo(new PerformanceResult.Valid(1));
        assertThat(invalidReason(PerformanceResult.parse(paddedNumber(PerformanceResult.MAX_BYTES + 1))))
                .contains("larger than " + PerformanceResult.MAX_BYTES + " bytes");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1e400", "-1e400", "{\"perf\":1e400}", "{\"performance\":-2E+999}"})
    void numbersBeyondTheRangeOfADoubleAreRejected(String content) {
        assertThat(invalidReason(parse(content))).contains("out of the range of a double");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1e9999999999", "{\"perf\":1e9999999999}", "{\"perf\":1e-9999999999}"})
    void exponentsBeyondAnyRangeAreRejectedNotThrown(String content) {
        assertThat(parse(content)).isInstanceOf(PerformanceResult.Invalid.class);
    }

    @Test
    void deeplyNestedJsonIsRejectedNotThrown() {
        String nested = "{\"perf\":1,\"x\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
        assertThat(invalidReason(parse(nested))).contains("not valid JSON");
    }
}
