package io.perfbox.runtime.aws.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The matrix run against an in-memory API whose jobs go QUEUED, BUILDING, RUNNING, then end as a function of their
 * Dockerfile decides; a clock that the sleeps advance.
 */
class MatrixRunnerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A clock moved on by the runner's sleeps. */
    private static final class SteppedClock extends Clock {
        Instant now = Instant.parse("2026-12-07T08:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    /** Jobs that move one status per look, ending as {@code end} says; at most {@code slots} past QUEUED at once. */
    private static class FakeApi implements JobsApi {
        final Function<String, ObjectNode> end;
        final int slots;
        final Map<String, String> dockerfiles = new HashMap<>();
        final Map<String, Integer> looks = new HashMap<>();
        final Map<String, ObjectNode> ended = new HashMap<>();
        final List<String> cancelled = new ArrayList<>();
        final List<String> admitted = new ArrayList<>();
        int next;
        int maxSeen;

        FakeApi(Function<String, ObjectNode> end, int slots) {
            this.end = end;
            this.slots = slots;
        }

        @Override
        public JsonNode submit(String dockerfile) throws IOException {
            if (dockerfile.contains("refuse-me")) {
                throw new IOException("POST /jobs answered 429: {\"title\":\"quota exceeded\"}");
            }
            String id = "job" + (++next);
            dockerfiles.put(id, dockerfile);
            return status(id, "QUEUED");
        }

        private ObjectNode status(String id, String s) {
            ObjectNode n = JSON.createObjectNode().put("id", id).put("status", s);
            n.putNull("failure");
            n.putNull("performance");
            return n;
        }

        @Override
        public JsonNode job(String id) {
            if (ended.containsKey(id)) {
                return ended.get(id);
            }
            if (!admitted.contains(id)) {
                if (admitted.size() - ended.keySet().stream().filter(admitted::contains).count() >= slots) {
                    return status(id, "QUEUED");
                }
                admitted.add(id);
            }
            int n = looks.merge(id, 1, Integer::sum);
            long inFlight = admitted.stream().filter(a -> !ended.containsKey(a)).count();
            maxSeen = (int) Math.max(maxSeen, inFlight);
            if (n < 3) {
                return status(id, n == 1 ? "BUILDING" : "RUNNING");
            }
            if (dockerfiles.get(id).contains("run-marker") && !cancelled.contains(id)) {
                return status(id, "RUNNING");
            }
            ObjectNode done = end.apply(dockerfiles.get(id)).put("id", id);
            ended.put(id, done);
            return done;
        }

        @Override
        public JsonNode cancel(String id) {
            cancelled.add(id);
            ObjectNode c = status(id, "CANCELLED");
            c.putObject("failure").put("message", "cancelled while RUNNING").putNull("code");
            ended.put(id, c);
            return c;
        }
    }

    /** What the local runtime answers, as the matrix expects it: the well-behaved stack. */
    private static ObjectNode asLocally(String dockerfile) {
        for (VerifyMatrix.Scenario s : VerifyMatrix.scenarios()) {
            int i = s.dockerfiles().indexOf(dockerfile);
            if (i >= 0) {
                VerifyMatrix.Expected e = s.expected().get(i);
                ObjectNode job = JSON.createObjectNode().put("status", e.status());
                if (e.status().equals("CANCELLED")) {
                    job.putObject("failure").putNull("code").put("message", "cancelled while RUNNING");
                } else if (e.failureCode() == null) {
                    job.putNull("failure");
                } else {
                    job.putObject("failure").put("code", e.failureCode())
                            .put("message", "because " + (e.messageContains() == null ? "" : e.messageContains()));
                }
                if (e.performance() == null) {
                    job.putNull("performance");
                } else {
                    job.put("performance", e.performance());
                }
                ObjectNode metrics = job.putObject("metrics");
                e.metrics().forEach(metrics::put);
                return job;
            }
        }
        throw new AssertionError("not a matrix Dockerfile: " + dockerfile);
    }

    private static List<MatrixRunner.Result> run(FakeApi api, Duration timeout) throws InterruptedException {
        SteppedClock clock = new SteppedClock();
        return new MatrixRunner(api, clock, d -> clock.now = clock.now.plus(d), Duration.ofSeconds(10), timeout)
                .run(VerifyMatrix.scenarios());
    }

    @Test
    void aStackThatAnswersAsTheLocalRuntimeDoesPassesEveryScenario() throws Exception {
        FakeApi api = new FakeApi(MatrixRunnerTest::asLocally, VerifyMatrix.CAP);
        List<MatrixRunner.Result> results = run(api, Duration.ofHours(2));
        assertThat(results).hasSize(VerifyMatrix.scenarios().size());
        assertThat(results).allSatisfy(r -> assertThat(r.differences()).as(r.scenario().name()).isEmpty());
        assertThat(api.cancelled).as("the cancel scenario's job, once it was RUNNING").hasSize(1);
        MatrixRunner.Result burst = results.get(results.size() - 1);
        assertThat(burst.maxInFlight()).isEqualTo(VerifyMatrix.CAP);
        assertThat(burst.got()).isEqualTo(VerifyMatrix.BURST + " of " + VerifyMatrix.BURST + " SUCCEEDED, at most 2 in flight");
    }

    @Test
    void aJobThatEndsOtherwiseIsReportedWithWhatDiffers() throws Exception {
        // As on AWS before runTask.sync's rule was respected: a successful job recorded FAILED/INTERNAL.
        FakeApi api = new FakeApi(d -> {
            ObjectNode job = asLocally(d);
            if (d.contains("\"loss\"")) {
                job.put("status", "FAILED").putNull("performance");
                job.putObject("failure").put("code", "INTERNAL").put("message", "the run-task step failed");
                job.putObject("metrics");
            }
            return job;
        }, VerifyMatrix.CAP);
        List<MatrixRunner.Result> results = run(api, Duration.ofHours(2));
        MatrixRunner.Result success = results.get(0);
        assertThat(success.asExpected()).isFalse();
        assertThat(success.differences()).anySatisfy(d -> assertThat(d).contains("status FAILED, expected SUCCEEDED"))
                .anySatisfy(d -> assertThat(d).contains("failure code INTERNAL, expected null", "run-task step failed"))
                .anySatisfy(d -> assertThat(d).contains("performance null, expected 0.9"))
                .anySatisfy(d -> assertThat(d).contains("metric loss null, expected 0.1"));
        assertThat(results.subList(1, results.size())).allMatch(MatrixRunner.Result::asExpected);
    }

    @Test
    void moreJobsInFlightThanTheCapIsADifference() throws Exception {
        FakeApi api = new FakeApi(MatrixRunnerTest::asLocally, VerifyMatrix.BURST);
        MatrixRunner.Result burst = run(api, Duration.ofHours(2)).get(VerifyMatrix.scenarios().size() - 1);
        assertThat(burst.maxInFlight()).isGreaterThan(VerifyMatrix.CAP);
        assertThat(burst.differences()).anySatisfy(d -> assertThat(d).contains("more than the cap of 2"));
    }

    @Test
    void aJobThatNeverEndsIsReportedAsNotEndedByTheDeadline() throws Exception {
        FakeApi api = new FakeApi(MatrixRunnerTest::asLocally, VerifyMatrix.CAP) {
            @Override
            public JsonNode cancel(String id) {
                // The cancel is lost: the job stays RUNNING.
                return JSON.createObjectNode().put("id", id).put("status", "RUNNING");
            }
        };
        List<MatrixRunner.Result> results = run(api, Duration.ofMinutes(30));
        MatrixRunner.Result cancel = results.stream().filter(r -> r.scenario().name().equals("cancel-mid-run"))
                .findFirst().orElseThrow();
        assertThat(cancel.differences()).containsExactly("did not end in time: last seen RUNNING");
        assertThat(cancel.took()).isGreaterThanOrEqualTo(Duration.ofMinutes(30));
    }

    @Test
    void aRefusedSubmitIsReportedWithTheAnswer() {
        VerifyMatrix.Scenario s = new VerifyMatrix.Scenario("x", "x", VerifyMatrix.Kind.ONE_JOB, List.of("refuse-me"),
                List.of(new VerifyMatrix.Expected("SUCCEEDED", null, 1.0, Map.of(), null)), "a#b", List.of());
        List<String> d = MatrixRunner.differences(s, List.of(new MatrixRunner.JobEnd("", "REFUSED", null,
                "POST /jobs answered 429", null, Map.of())), 0);
        assertThat(d).containsExactly("the submit was refused: POST /jobs answered 429");
    }
}
