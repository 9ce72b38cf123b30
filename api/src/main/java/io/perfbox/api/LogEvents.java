package io.perfbox.api;

import io.perfbox.core.application.JobOutput;
import io.perfbox.core.application.JobService;
import io.perfbox.core.domain.InvalidInputException;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobNotFoundException;
import io.perfbox.core.log.BoundedLog;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A job's output over HTTP: as text/plain from an offset, or followed as server-sent events. Events, not chunked
 * text, because resuming must be exact: each event carries the offset after it as its {@code id}, which a client
 * (a browser's EventSource by itself) sends back as {@code Last-Event-ID}; a skipped middle of a bounded log and the
 * job's end are events of their own, where a chunked text stream could tell neither from a cut connection.
 */
final class LogEvents {
    /** More than both bounded logs together: a text answer holds all the output there is. */
    static final int TEXT_MAX_BYTES = 4 * 1024 * 1024;
    static final int EVENT_MAX_BYTES = 64 * 1024;
    static final Duration POLL = Duration.ofMillis(200);
    /**
     * How often a long poll looks: each look may read CloudWatch Logs (AWS), whose GetLogEvents has a per-account
     * rate quota shared by every follower.
     */
    static final Duration LONG_POLL_EVERY = Duration.ofSeconds(1);
    /** A line still being written is sent as it is after this long. */
    static final Duration PARTIAL_LINE = Duration.ofSeconds(1);
    /** A comment this often, so a client that went away is noticed and its stream ends. */
    static final Duration HEARTBEAT = Duration.ofSeconds(15);
    /** What a client waits before it reconnects, in milliseconds (the event stream's retry field). */
    static final int RETRY_MILLIS = 1000;

    static final String OFFSET_HEADER = "Perfbox-Log-Offset";
    static final String NEXT_OFFSET_HEADER = "Perfbox-Next-Offset";
    static final String OMITTED_HEADER = "Perfbox-Log-Omitted";
    static final String COMPLETE_HEADER = "Perfbox-Log-Complete";
    static final String STATUS_HEADER = "Perfbox-Job-Status";
    static final String LAST_EVENT_ID = "Last-Event-ID";

    private LogEvents() {
    }

    static boolean follow(ApiRequest request) {
        return request.query("follow").map(v -> switch (v.strip().toLowerCase(Locale.ROOT)) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw new InvalidInputException("invalid-follow", "follow must be true or false");
        }).orElse(false);
    }

    static boolean download(ApiRequest request) {
        return request.query("download").map(v -> switch (v.strip().toLowerCase(Locale.ROOT)) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw new InvalidInputException("invalid-download", "download must be true or false");
        }).orElse(false);
    }

    /**
     * The whole output as a file to save: text/plain (nosniff: never taken for a page of this origin) with
     * {@code Content-Disposition: attachment}, so a browser saves it rather than shows it, under the job's id.
     */
    static ApiResponse attachment(JobOutput out) {
        ApiResponse text = text(out);
        Map<String, String> headers = new LinkedHashMap<>(text.headers());
        headers.put("Content-Disposition", "attachment; filename=\"perfbox-" + out.job().id().value() + ".log\"");
        headers.put("X-Content-Type-Options", "nosniff");
        return text.withHeaders(headers);
    }

    /** Last-Event-ID (a reconnecting event stream) over {@code offset}; 0 without either. */
    static long offset(ApiRequest request) {
        // Both are checked, whichever counts.
        Optional<Long> lastEvent = request.header(LAST_EVENT_ID).map(LogEvents::parseOffset);
        Optional<Long> offset = request.query("offset").map(LogEvents::parseOffset);
        return lastEvent.or(() -> offset).orElse(0L);
    }

    private static long parseOffset(String raw) {
        String v = raw.strip();
        if (!v.matches("[0-9]{1,18}")) {
            throw new InvalidInputException("invalid-offset",
                    "offset (or Last-Event-ID) must be a whole number of bytes, 0 or more, as Perfbox-Next-Offset gave it");
        }
        return Long.parseLong(v);
    }

    /** Whether Accept ranks text/plain above JSON (JSON stays the default). */
    static boolean prefersText(ApiRequest request) {
        String accept = request.header("Accept").orElse("");
        double text = 0;
        double json = accept.isBlank() ? 1 : 0;
        for (String range : accept.split(",")) {
            String[] parts = range.strip().split(";");
            String type = parts[0].strip().toLowerCase(Locale.ROOT);
            double q = 1;
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i].strip();
                if (p.startsWith("q=")) {
                    try {
                        q = Double.parseDouble(p.substring(2));
                    } catch (NumberFormatException e) {
                        q = 0;
                    }
                }
            }
            switch (type) {
                case "text/plain" -> text = Math.max(text, q);
                case "application/json" -> json = Math.max(json, q);
                case "*/*", "application/*" -> json = Math.max(json, q);
                default -> { }
            }
        }
        return text > 0 && text > json;
    }

    /** The output from the offset as text, the skipped middle of a bounded log shown as one line. */
    static ApiResponse text(JobOutput out) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (JobOutput.Piece p : out.pieces()) {
            switch (p) {
                case JobOutput.Text t -> body.writeBytes(t.bytes());
                case JobOutput.Omitted o -> body.writeBytes(("\n" + omittedLine(o.bytes()) + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        Map<String, String> headers = headers(out, "text/plain; charset=utf-8");
        headers.put(NEXT_OFFSET_HEADER, Long.toString(out.next()));
        if (out.omitted() > 0) {
            headers.put(OMITTED_HEADER, Long.toString(out.omitted()));
        }
        headers.put(COMPLETE_HEADER, Boolean.toString(out.ended()));
        return new ApiResponse(200, headers, body.toByteArray());
    }

    static String omittedLine(long bytes) {
        return BoundedLog.omittedLine(bytes);
    }

    private static Map<String, String> headers(JobOutput out, String contentType) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", contentType);
        headers.put("Cache-Control", "no-store");
        headers.put(OFFSET_HEADER, Long.toString(out.offset()));
        headers.put(STATUS_HEADER, out.job().status().name());
        return headers;
    }

    /**
     * The follow: the job is looked up first (a missing one is a 404 before any event); then the stream, or with a
     * long poll the events until there is output or the limit passes.
     */
    static ApiResponse respond(JobService jobs, String owner, JobId id, long offset, Optional<Duration> longPoll) {
        JobOutput first = jobs.output(owner, id, offset, 0);
        Map<String, String> headers = headers(first, "text/event-stream; charset=utf-8");
        Follow follow = new Follow(jobs, owner, id, offset, longPoll);
        if (longPoll.isPresent()) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            try {
                follow.writeTo(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new ApiResponse(200, headers, body.toByteArray());
        }
        return new ApiResponse(200, headers, new byte[0], follow::writeTo);
    }

    /** One follower: polls the job's output and writes it as events until the job ends (or the long poll's limit). */
    static final class Follow {
        private final JobService jobs;
        private final String owner;
        private final JobId id;
        private final Optional<Duration> longPoll;
        private long pos;
        /** When the line at {@link #pos} was first seen unfinished; 0 when none is held. */
        private long heldSince;

        Follow(JobService jobs, String owner, JobId id, long offset, Optional<Duration> longPoll) {
            this.jobs = jobs;
            this.owner = owner;
            this.id = id;
            this.pos = offset;
            this.longPoll = longPoll;
        }

        void writeTo(OutputStream out) throws IOException {
            long start = System.nanoTime();
            long lastWrite = start;
            write(out, "retry: " + RETRY_MILLIS + "\n\n");
            out.flush();
            while (true) {
                JobOutput o;
                try {
                    o = jobs.output(owner, id, pos, EVENT_MAX_BYTES);
                } catch (JobNotFoundException e) {
                    // Deleted while followed: nothing more will come.
                    write(out, "event: end\ndata: DELETED\nid: " + pos + "\n\n");
                    out.flush();
                    return;
                }
                boolean wrote = emit(out, o);
                if (o.ended() && pos >= o.next()) {
                    write(out, "event: end\ndata: " + o.job().status().name() + "\nid: " + pos + "\n\n");
                    out.flush();
                    return;
                }
                long now = System.nanoTime();
                if (wrote) {
                    out.flush();
                    lastWrite = now;
                } else if (now - lastWrite > HEARTBEAT.toNanos()) {
                    write(out, ": still following\n\n");
                    out.flush();
                    lastWrite = now;
                }
                if (longPoll.isPresent() && (wrote || now - start > longPoll.get().toNanos())) {
                    return;
                }
                try {
                    Thread.sleep(longPoll.isPresent() ? LONG_POLL_EVERY : POLL);
                } catch (InterruptedException e) {
                    // The server is closing.
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        /** Writes the pieces as events, whole lines only unless the job ended or a line waited long enough. */
        private boolean emit(OutputStream out, JobOutput o) throws IOException {
            boolean wrote = false;
            for (JobOutput.Piece p : o.pieces()) {
                switch (p) {
                    case JobOutput.Omitted m -> {
                        pos = m.offset() + m.bytes();
                        write(out, "event: omitted\ndata: " + m.bytes() + "\nid: " + pos + "\n\n");
                        heldSince = 0;
                        wrote = true;
                    }
                    case JobOutput.Text t -> {
                        byte[] b = t.bytes();
                        int end = b.length;
                        boolean last = p == o.pieces().get(o.pieces().size() - 1);
                        if (last && !o.ended()) {
                            int lineEnd = lastLineEnd(b);
                            if (lineEnd == 0) {
                                long now = System.nanoTime();
                                heldSince = heldSince == 0 ? now : heldSince;
                                if (now - heldSince < PARTIAL_LINE.toNanos() && b.length < EVENT_MAX_BYTES) {
                                    return wrote;
                                }
                            } else {
                                end = lineEnd;
                            }
                        }
                        data(out, new String(b, 0, end, StandardCharsets.UTF_8));
                        pos = t.offset() + end;
                        write(out, "id: " + pos + "\n\n");
                        // The rest of a line still being written waits at the new position.
                        heldSince = end < b.length ? System.nanoTime() : 0;
                        wrote = true;
                    }
                }
            }
            if (o.pieces().isEmpty()) {
                // An offset past the end reads at the end.
                pos = o.next();
            }
            return wrote;
        }

        /** The index after the last line break, 0 when none. */
        private static int lastLineEnd(byte[] b) {
            for (int i = b.length - 1; i >= 0; i--) {
                if (b[i] == '\n' || b[i] == '\r') {
                    return i + 1;
                }
            }
            return 0;
        }

        /** One data line per line of the text: SSE ends a line at CR, LF or CRLF, so each becomes a line break. */
        private static void data(OutputStream out, String text) throws IOException {
            String body = text.endsWith("\r\n") ? text.substring(0, text.length() - 2)
                    : text.endsWith("\n") || text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            StringBuilder event = new StringBuilder();
            for (String line : body.split("\r\n|\r|\n", -1)) {
                event.append("data: ").append(line).append('\n');
            }
            write(out, event.toString());
        }

        private static void write(OutputStream out, String s) throws IOException {
            out.write(s.getBytes(StandardCharsets.UTF_8));
        }
    }
}
