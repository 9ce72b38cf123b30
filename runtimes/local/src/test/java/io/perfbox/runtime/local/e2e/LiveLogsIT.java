package io.perfbox.runtime.local.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.testing.docker.RequiresDocker;
import io.perfbox.testing.trivy.RealTrivy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Live logs as a user sees them over real HTTP against {@code perfbox serve}, with real builds and runs that print
 * slowly: text before the job ends, a follow that streams to the end, a resume that gets exactly the rest, and a
 * flood past the bound that keeps head and tail.
 */
@RequiresDocker
class LiveLogsIT {
    private static final Duration END = Duration.ofMinutes(3);
    private static PerfboxProcess server;
    private static Http http;

    @BeforeAll
    static void startServer() throws Exception {
        Path dataDir = Path.of("target", "e2e", "live-logs-" + UUID.randomUUID()).toAbsolutePath();
        server = PerfboxProcess.start(dataDir, RealTrivy.with("--workers", "2"));
        http = new Http(server.baseUrl());
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    /** A build and a run that each print three lines a second apart; unique, so no build cache answers for it. */
    private static String slowDockerfile(String tag) {
        return "FROM debian:bookworm\n"
                + "RUN for i in 1 2 3; do echo build-" + tag + "-$i; sleep 1; done\n"
                + "CMD for i in 1 2 3; do echo run-line-$i; sleep 1; done; echo '{\"perf\":0.5}' > /data/perf.json\n";
    }

    private static Http.Reply text(String id, long offset) throws Exception {
        return http.send("GET", "/jobs/" + id + "/logs?offset=" + offset, null, null, Map.of("Accept", "text/plain"));
    }

    private static String header(Http.Reply r, String name) {
        return r.raw().headers().firstValue(name).orElseThrow(() -> new AssertionError("no " + name + " header"));
    }

    @Test
    void theBuildsOutputIsReadableAsTextWhileItIsStillBuildingAndAnOffsetGivesExactlyTheRest() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String id = http.submit(slowDockerfile(tag));

        Instant deadline = Instant.now().plus(END);
        Http.Reply partial = text(id, 0);
        while (!partial.body().contains("build-" + tag + "-1")) {
            assertThat(Instant.now()).as("the first build line never showed: " + partial.body()).isBefore(deadline);
            Thread.sleep(100);
            partial = text(id, 0);
        }
        assertThat(partial.status()).isEqualTo(200);
        assertThat(partial.contentType()).isEqualTo("text/plain; charset=utf-8");
        assertThat(header(partial, "Perfbox-Job-Status")).isEqualTo("BUILDING");
        assertThat(header(partial, "Perfbox-Log-Complete")).isEqualTo("false");
        assertThat(partial.body()).doesNotContain("build-" + tag + "-3", "run-line-1");
        long resumeAt = Long.parseLong(header(partial, "Perfbox-Next-Offset"));
        assertThat(resumeAt).isEqualTo(partial.body().getBytes(StandardCharsets.UTF_8).length);

        JsonNode job = http.awaitEnd(id, END);
        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("SUCCEEDED");
        Http.Reply whole = text(id, 0);
        assertThat(header(whole, "Perfbox-Log-Complete")).isEqualTo("true");
        assertThat(whole.body()).contains("build-" + tag + "-3").endsWith("run-line-1\nrun-line-2\nrun-line-3\n");
        // The same bytes as the JSON's two logs, build then run.
        JsonNode json = http.get("/jobs/" + id + "/logs").json();
        assertThat(whole.body()).isEqualTo(json.path("build").path("text").asText() + json.path("run").path("text").asText());

        Http.Reply rest = text(id, resumeAt);
        byte[] all = whole.body().getBytes(StandardCharsets.UTF_8);
        assertThat(rest.body()).isEqualTo(new String(all, (int) resumeAt, all.length - (int) resumeAt, StandardCharsets.UTF_8));
        assertThat(partial.body() + rest.body()).isEqualTo(whole.body());
    }

    @Test
    void aFollowStreamsTheRunsLinesWhileItRunsAndEndsWithTheJobAndLastEventIdResumesFromAnEvent() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String id = http.submit(slowDockerfile(tag));
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<Stream<String>> follow = client.send(HttpRequest.newBuilder(
                        URI.create(server.baseUrl() + "/jobs/" + id + "/logs?follow=true")).build(),
                HttpResponse.BodyHandlers.ofLines());
        assertThat(follow.statusCode()).isEqualTo(200);
        assertThat(follow.headers().firstValue("Content-Type")).contains("text/event-stream; charset=utf-8");

        record Event(String type, List<String> data, long id) {
        }
        List<Event> events = new ArrayList<>();
        String statusWhenRunLine1Arrived = null;
        Iterator<String> lines = follow.body().iterator();
        String type = "";
        List<String> data = new ArrayList<>();
        while (lines.hasNext()) {
            String line = lines.next();
            if (line.startsWith("event: ")) {
                type = line.substring(7);
            } else if (line.startsWith("data: ")) {
                data.add(line.substring(6));
                if (line.equals("data: run-line-1") && type.isEmpty()) {
                    statusWhenRunLine1Arrived = http.job(id).get("status").asText();
                }
            } else if (line.startsWith("id: ")) {
                events.add(new Event(type, List.copyOf(data), Long.parseLong(line.substring(4))));
            } else if (line.isEmpty()) {
                type = "";
                data.clear();
            }
        }
        assertThat(statusWhenRunLine1Arrived).as("the job's status when its first run line arrived").isEqualTo("RUNNING");
        Event last = events.get(events.size() - 1);
        assertThat(last.type()).isEqualTo("end");
        assertThat(last.data()).containsExactly("SUCCEEDED");
        assertThat(http.job(id).get("status").asText()).isEqualTo("SUCCEEDED");
        List<String> output = events.stream().filter(e -> e.type().isEmpty()).flatMap(e -> e.data().stream()).toList();
        assertThat(output).endsWith("run-line-1", "run-line-2", "run-line-3");
        assertThat(output.stream().filter(d -> d.contains("build-" + tag + "-")).count()).isGreaterThanOrEqualTo(3);
        Http.Reply whole = text(id, 0);
        assertThat(last.id()).isEqualTo(whole.body().getBytes(StandardCharsets.UTF_8).length);

        // Reconnecting as an EventSource does, from the event before the one with the run's first line: the rest.
        int runEvent = 0;
        while (!events.get(runEvent).data().contains("run-line-1")) {
            runEvent++;
        }
        long before = events.get(runEvent - 1).id();
        HttpResponse<String> resumed = client.send(HttpRequest.newBuilder(
                        URI.create(server.baseUrl() + "/jobs/" + id + "/logs?follow=true"))
                .header("Last-Event-ID", Long.toString(before)).build(), HttpResponse.BodyHandlers.ofString());
        List<String> resumedData = resumed.body().lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
        List<String> expected = new ArrayList<>();
        events.subList(runEvent, events.size()).forEach(e -> expected.addAll(e.data()));
        assertThat(resumedData).isEqualTo(expected);
        assertThat(resumed.body()).startsWith("retry: 1000\n\n")
                .endsWith("event: end\ndata: SUCCEEDED\nid: " + last.id() + "\n\n");
        // And as text: the same bytes as the whole output from that offset.
        byte[] all = whole.body().getBytes(StandardCharsets.UTF_8);
        assertThat(text(id, before).body()).isEqualTo(new String(all, (int) before, all.length - (int) before,
                StandardCharsets.UTF_8));
    }

    @Test
    void aFloodPastTheBoundKeepsHeadAndTailAndAnOffsetInTheDroppedMiddleSaysWhatWasSkipped() throws Exception {
        // 3,000 numbered lines of 1,005 bytes (about 3 MB, past the 1 MiB a run keeps), in long lines: the engine's
        // own log file (10 MB of JSON lines, then rotated) holds them all while perfbox follows it.
        String id = http.submit("FROM debian:bookworm\n"
                + "CMD for i in $(seq 1 3000); do printf '%04d%01000d\\n' $i 0; done; echo '{\"perf\":1}' > /data/perf.json\n");
        JsonNode job = http.awaitEnd(id, END);
        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("SUCCEEDED");

        Http.Reply whole = text(id, 0);
        JsonNode json = http.get("/jobs/" + id + "/logs").json();
        long buildBytes = json.path("build").path("text").asText().getBytes(StandardCharsets.UTF_8).length;
        long produced = 3000L * 1005;
        String zeros = "0".repeat(1000);
        assertThat(header(whole, "Perfbox-Next-Offset")).isEqualTo(Long.toString(buildBytes + produced));
        long omitted = Long.parseLong(header(whole, "Perfbox-Log-Omitted"));
        assertThat(omitted).isEqualTo(produced - 1024 * 1024);
        assertThat(whole.body().substring((int) buildBytes)).startsWith("0001" + zeros + "\n0002" + zeros + "\n").endsWith("2999" + zeros + "\n3000" + zeros + "\n")
                .contains("\n[... " + omitted + " bytes omitted ...]\n");
        assertThat(json.path("run").path("truncated").asBoolean()).isTrue();
        assertThat(json.path("build").path("text").asText() + json.path("run").path("text").asText()).isEqualTo(whole.body());

        long inTheMiddle = buildBytes + 512 * 1024 + 1000;
        Http.Reply fromMiddle = text(id, inTheMiddle);
        long tailStart = buildBytes + produced - 512 * 1024;
        assertThat(header(fromMiddle, "Perfbox-Log-Omitted")).isEqualTo(Long.toString(tailStart - inTheMiddle));
        assertThat(fromMiddle.body()).startsWith("\n[... " + (tailStart - inTheMiddle) + " bytes omitted ...]\n")
                .endsWith("3000" + zeros + "\n");
        assertThat(whole.body()).endsWith(fromMiddle.body().substring(fromMiddle.body().indexOf("...]\n") + 5));
    }
}
