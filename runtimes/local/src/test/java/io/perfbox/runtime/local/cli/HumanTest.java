package io.perfbox.runtime.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What a person reads: times against a fixed now, durations, numbers as written, counts by severity, final lines. */
class HumanTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-12-07T16:00:00Z");

    @Test
    void timesAreRelativeToNow() {
        assertThat(Human.ago(NOW, NOW)).isEqualTo("just now");
        assertThat(Human.ago(NOW.minusSeconds(4), NOW)).isEqualTo("just now");
        assertThat(Human.ago(NOW.minusSeconds(42), NOW)).isEqualTo("42 s ago");
        assertThat(Human.ago(NOW.minusSeconds(3 * 60 + 59), NOW)).isEqualTo("3 min ago");
        assertThat(Human.ago(NOW.minus(Duration.ofHours(5).plusMinutes(10)), NOW)).isEqualTo("5 h ago");
        assertThat(Human.ago(NOW.minus(Duration.ofDays(1)), NOW)).isEqualTo("1 day ago");
        assertThat(Human.ago(NOW.minus(Duration.ofDays(12)), NOW)).isEqualTo("12 days ago");
        assertThat(Human.ago(NOW.minus(Duration.ofDays(40)), NOW)).as("a date past a month").isEqualTo("2026-10-28");
        assertThat(Human.ago(NOW.plusSeconds(120), NOW)).as("a server clock ahead").isEqualTo("in 2 min");
        assertThat(Human.ago("2026-12-07T15:57:00Z", NOW)).isEqualTo("3 min ago");
        assertThat(Human.ago("yesterday", NOW)).as("not a time: as it came").isEqualTo("yesterday");
    }

    @Test
    void durationsReadAsSecondsMinutesOrHours() {
        assertThat(Human.duration(Duration.ofMillis(400))).isEqualTo("0.4 s");
        assertThat(Human.duration(Duration.ofMillis(12_345))).isEqualTo("12.3 s");
        assertThat(Human.duration(Duration.ofSeconds(185))).isEqualTo("3 min 5 s");
        assertThat(Human.duration(Duration.ofMinutes(130))).isEqualTo("2 h 10 min");
        assertThat(Human.duration(Duration.ofSeconds(-3))).as("a clock that went back").isEqualTo("0.0 s");
    }

    @Test
    void numbersArePrintedAsWrittenNotAsJavaDoubles() throws Exception {
        assertThat(Human.number(JSON.readTree("900.0"))).isEqualTo("900");
        assertThat(Human.number(JSON.readTree("900"))).isEqualTo("900");
        assertThat(Human.number(JSON.readTree("0.25"))).isEqualTo("0.25");
        assertThat(Human.number(JSON.readTree("-1.50"))).isEqualTo("-1.5");
        assertThat(Human.number(JSON.readTree("1.0E-4"))).isEqualTo("0.0001");
        assertThat(Human.number(JSON.readTree("1.2345678E7"))).isEqualTo("12345678");
        assertThat(Human.number(JSON.readTree("0.0"))).isEqualTo("0");
        assertThat(Human.number(JSON.readTree("1.0E300"))).as("far out: its exponent kept").isEqualTo("1.0E300");
        assertThat(Human.number(JSON.readTree("null"))).isEqualTo("-");
        assertThat(Human.number(null)).isEqualTo("-");
    }

    @Test
    void findingCountsAreWordsWorstFirstNotAJsonObject() throws Exception {
        assertThat(Human.counts(JSON.readTree("{\"UNKNOWN\":0,\"LOW\":3,\"MEDIUM\":0,\"HIGH\":2,\"CRITICAL\":1}")))
                .isEqualTo("1 CRITICAL, 2 HIGH, 3 LOW");
        assertThat(Human.counts(JSON.readTree("{\"UNKNOWN\":0,\"LOW\":0,\"MEDIUM\":0,\"HIGH\":0,\"CRITICAL\":0}")))
                .isEqualTo("none");
    }

    @Test
    void stagesEachHaveTheirDurationAndTheJobItsTotal() throws Exception {
        var ended = JSON.readTree("{\"queuedAt\":\"2026-12-07T15:59:00Z\",\"buildStartedAt\":\"2026-12-07T15:59:00.100Z\","
                + "\"scanStartedAt\":\"2026-12-07T15:59:12.400Z\",\"runStartedAt\":\"2026-12-07T15:59:16.400Z\","
                + "\"finishedAt\":\"2026-12-07T15:59:18.500Z\"}");
        assertThat(JobLines.stageDurations(ended, NOW))
                .isEqualTo("queued 0.1 s, building 12.3 s, scanning 4.0 s, running 2.1 s (18.5 s in all)");
        var failedBuilding = JSON.readTree("{\"queuedAt\":\"2026-12-07T15:59:00Z\",\"buildStartedAt\":\"2026-12-07T15:59:01Z\","
                + "\"scanStartedAt\":null,\"runStartedAt\":null,\"finishedAt\":\"2026-12-07T15:59:04Z\"}");
        assertThat(JobLines.stageDurations(failedBuilding, NOW)).isEqualTo("queued 1.0 s, building 3.0 s (4.0 s in all)");
        var underWay = JSON.readTree("{\"queuedAt\":\"2026-12-07T15:59:00Z\",\"buildStartedAt\":\"2026-12-07T15:59:30Z\","
                + "\"scanStartedAt\":null,\"runStartedAt\":null,\"finishedAt\":null}");
        assertThat(JobLines.stageDurations(underWay, NOW)).isEqualTo("queued 30.0 s, building 30.0 s so far (1 min 0 s so far)");
    }

    @Test
    void theFinalLineSaysHowTheJobEnded() throws Exception {
        String stages = "\"stages\":{\"queuedAt\":\"2026-12-07T15:59:00Z\",\"finishedAt\":\"2026-12-07T15:59:18.5Z\"}";
        assertThat(JobLines.finalLine(JSON.readTree("{\"id\":\"j1\",\"status\":\"SUCCEEDED\",\"performance\":900.0," + stages + "}")))
                .isEqualTo("job j1 SUCCEEDED in 18.5 s: performance 900");
        assertThat(JobLines.finalLine(JSON.readTree("{\"id\":\"j1\",\"status\":\"FAILED\",\"failure\":{\"code\":\"RUN_FAILED\","
                + "\"message\":\"exit 4\"}," + stages + "}"))).isEqualTo("job j1 FAILED (RUN_FAILED) after 18.5 s");
        assertThat(JobLines.finalLine(JSON.readTree("{\"id\":\"j1\",\"status\":\"CANCELLED\",\"failure\":{\"code\":\"CANCELLED\","
                + "\"message\":\"by the user\"}," + stages + "}"))).as("its failure code, whichever, is not news").isEqualTo("job j1 CANCELLED after 18.5 s");
    }

    @Test
    void exitCodesFollowTheStatusAJobEndedIn() {
        assertThat(ExitCode.ofEnded("SUCCEEDED").code).isZero();
        assertThat(ExitCode.ofEnded("FAILED").code).isEqualTo(1);
        assertThat(ExitCode.ofEnded("CANCELLED").code).isEqualTo(5);
    }
}
