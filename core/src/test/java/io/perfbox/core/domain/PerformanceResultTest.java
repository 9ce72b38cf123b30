package io.perfbox.core.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
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

    // ---- named metrics ----

    /** A perf.json with {@code n} metrics m0..m(n-1). */
    private static String withMetrics(int n) {
        return "{\"perf\":1,\"metrics\":{" + IntStream.range(0, n).mapToObj(i -> "\"m" + i + "\":" + i)
                .collect(Collectors.joining(",")) + "}}";
    }

    @Test
    void metricsBesideThePrimaryValueAreKeptAndThePrimaryStaysThePerformance() {
        assertThat(parse("{\"perf\":0.91,\"metrics\":{\"accuracy\":0.9,\"loss\":0.23,\"epochs\":3}}"))
                .isEqualTo(new PerformanceResult.Valid(0.91, Map.of("accuracy", 0.9, "loss", 0.23, "epochs", 3.0)));
    }

    @Test
    void metricsAreOrderedByNameWhateverOrderTheFileGivesThem() {
        var valid = (PerformanceResult.Valid) parse("{\"metrics\":{\"b\":2,\"a\":1,\"c\":3},\"performance\":0}");
        assertThat(valid.metrics().keySet()).containsExactly("a", "b", "c");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"perf\":1,\"metrics\":{}}", "{\"perf\":1}", "1"})
    void noMetricsOrAnEmptyObjectMeansNone(String content) {
        assertThat(((PerformanceResult.Valid) parse(content)).metrics()).isEmpty();
    }

    @Test
    void namesOfEveryAllowedCharacterUpToTheLengthLimitAreAccepted() {
        String longest = "a".repeat(Metrics.MAX_NAME_LENGTH);
        var valid = (PerformanceResult.Valid) parse("{\"perf\":1,\"metrics\":{\"Val_loss-2.top1\":-0.5,\"" + longest
                + "\":1e-3,\"0\":7}}");
        assertThat(valid.metrics()).containsOnlyKeys("Val_loss-2.top1", longest, "0");
        assertThat(valid.metrics().get("Val_loss-2.top1")).isEqualTo(-0.5);
    }

    @Test
    void upToTheCountLimitIsAcceptedAndOneMoreIsRejectedSayingBoth() {
        assertThat(((PerformanceResult.Valid) parse(withMetrics(Metrics.MAX_COUNT))).metrics()).hasSize(Metrics.MAX_COUNT);
        assertThat(invalidReason(parse(withMetrics(Metrics.MAX_COUNT + 1))))
                .isEqualTo("\"metrics\" has 33 entries; at most 32 are allowed");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"perf\":1,\"metrics\":[0.9]}|\"metrics\" must be a JSON object of names to numbers, not array",
            "{\"perf\":1,\"metrics\":0.9}|\"metrics\" must be a JSON object of names to numbers, not number",
            "{\"perf\":1,\"metrics\":null}|\"metrics\" must be a JSON object of names to numbers, not null",
            "{\"perf\":1,\"metrics\":{\"loss\":\"0.2\"}}|metric \"loss\" must be a number, not string",
            "{\"perf\":1,\"metrics\":{\"loss\":null}}|metric \"loss\" must be a number, not null",
            "{\"perf\":1,\"metrics\":{\"loss\":true}}|metric \"loss\" must be a number, not boolean",
            "{\"perf\":1,\"metrics\":{\"loss\":{\"v\":1}}}|metric \"loss\" must be a number, not object",
            "{\"perf\":1,\"metrics\":{\"loss\":1e400}}|metric \"loss\" is out of the range of a double",
            "{\"perf\":1,\"metrics\":{\"\":1}}|a metric name is empty",
            "{\"perf\":1,\"metrics\":{\"top 1\":1}}|metric name \"top 1\" has a character outside A-Z a-z 0-9 _ . -",
            "{\"perf\":1,\"metrics\":{\"val/loss\":1}}|metric name \"val/loss\" has a character outside A-Z a-z 0-9 _ . -",
            "{\"perf\":1,\"metrics\":{\"précision\":1}}|metric name \"précision\" has a character outside",
            "{\"perf\":1,\"metrics\":{\"performance\":1}}|metric name \"performance\" is reserved for the primary value"})
    void aBadMetricMakesTheResultInvalidWithAPreciseReason(String content, String reason) {
        assertThat(invalidReason(parse(content))).startsWith(reason);
    }

    @Test
    void aNameOverTheLengthLimitIsRejectedWithItsLengthAndShownCut() {
        String tooLong = "n".repeat(Metrics.MAX_NAME_LENGTH + 1);
        assertThat(invalidReason(parse("{\"perf\":1,\"metrics\":{\"" + tooLong + "\":1}}")))
                .isEqualTo("metric name \"" + "n".repeat(Metrics.MAX_NAME_LENGTH) + "…\" is 65 characters long;"
                        + " at most 64 are allowed");
    }

    @Test
    void aControlCharacterInANameIsNotEchoedRaw() {
        assertThat(invalidReason(parse("{\"perf\":1,\"metrics\":{\"a\\u0007b\":1}}")))
                .isEqualTo("metric name \"a?b\" has a character outside A-Z a-z 0-9 _ . -");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"perf\":1,\"metrics\":{\"loss\":NaN}}", "{\"perf\":1,\"metrics\":{\"loss\":-Infinity}}",
            "{\"perf\":1,\"metrics\":{\"loss\":1,\"loss\":2}}"})
    void nonFiniteLiteralsAndDuplicateNamesInMetricsAreNotValidJson(String content) {
        assertThat(invalidReason(parse(content))).startsWith("perf.json is not valid JSON");
    }

    @Test
    void anInvalidPrimaryValueIsReportedBeforeTheMetrics() {
        assertThat(invalidReason(parse("{\"perf\":\"x\",\"metrics\":[1]}"))).isEqualTo("\"perf\" must be a number, not string");
    }
}
