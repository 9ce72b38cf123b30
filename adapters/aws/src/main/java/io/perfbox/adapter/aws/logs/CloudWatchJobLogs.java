package io.perfbox.adapter.aws.logs;

import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.JobArtifactStore.LogKind;
import io.perfbox.core.port.JobLogReader;
import io.perfbox.core.port.LogSlice;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.GetLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.OutputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceNotFoundException;

/**
 * A job's output while its steps run, from CloudWatch Logs; a log the workflow has stored (a step that ended) is
 * read from the store instead. The live text is the stream's lines, each ending in a line break, from its start up
 * to the bound the stored log keeps (its first {@link #MAX_BYTES}): the same bytes the workflow stores when the step
 * ends, so offsets stay valid. A build's stream also carries CodeBuild's own lines: only those between the
 * buildspec's start line for the job and CodeBuild's next {@code [Container]} line count. What was read of a stream
 * is remembered with CloudWatch's forward token, so a poll reads only what is new.
 */
public final class CloudWatchJobLogs implements JobLogReader {
    /** As the workflow keeps of each step (RunRecorder, the buildspec's own bound). */
    public static final int MAX_BYTES = 1024 * 1024;
    /** The line the buildspec prints before the build's output: {@code [perfbox] output of job <id>}. */
    public static final String BUILD_START = "[perfbox] output of job ";
    static final String CODEBUILD_LINE = "[Container] ";
    static final int MAX_STREAMS = 256;
    static final int MAX_PAGES = 20;

    private final JobLogReader stored;
    private final CloudWatchLogsClient logs;
    private final JobLogStreams streams;
    private final String buildLogGroup;
    private final String taskLogGroup;
    private final Map<String, Reading> readings = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Reading> eldest) {
            return size() > MAX_STREAMS;
        }
    };

    public CloudWatchJobLogs(JobLogReader stored, CloudWatchLogsClient logs, JobLogStreams streams,
                             String buildLogGroup, String taskLogGroup) {
        this.stored = stored;
        this.logs = logs;
        this.streams = streams;
        this.buildLogGroup = buildLogGroup;
        this.taskLogGroup = taskLogGroup;
    }

    @Override
    public Optional<LogSlice> readLog(JobId id, LogKind kind, long offset, int maxBytes) {
        Optional<LogSlice> kept = stored.readLog(id, kind, offset, maxBytes);
        if (kept.isPresent()) {
            return kept;
        }
        Optional<String> stream = kind == LogKind.BUILD ? streams.buildStream(id) : streams.runStream(id);
        if (stream.isEmpty()) {
            return Optional.empty();
        }
        String group = kind == LogKind.BUILD ? buildLogGroup : taskLogGroup;
        Reading r;
        synchronized (readings) {
            r = readings.computeIfAbsent(group + "\n" + stream.get(),
                    k -> new Reading(group, stream.get(), kind == LogKind.BUILD ? BUILD_START + id.value() : null));
        }
        byte[] text = r.readOn();
        long at = Math.max(0, Math.min(offset, text.length));
        int n = (int) Math.min(text.length - at, Math.max(0, maxBytes));
        return Optional.of(new LogSlice(at, Arrays.copyOfRange(text, (int) at, (int) at + n), 0, text.length, false));
    }

    /** One stream read so far: its text within the bound and where CloudWatch goes on. */
    private final class Reading {
        private final String group;
        private final String stream;
        /** null: every line counts; else lines count after this one, until CodeBuild's next own line. */
        private final String startLine;
        private final ByteArrayOutputStream text = new ByteArrayOutputStream();
        private String token;
        private boolean started;
        private boolean done;

        Reading(String group, String stream, String startLine) {
            this.group = group;
            this.stream = stream;
            this.startLine = startLine;
            this.started = startLine == null;
        }

        synchronized byte[] readOn() {
            try {
                for (int page = 0; page < MAX_PAGES && !done; page++) {
                    String from = token;
                    GetLogEventsResponse response = logs.getLogEvents(b -> b.logGroupName(group).logStreamName(stream)
                            .startFromHead(true).nextToken(from));
                    for (OutputLogEvent event : response.events()) {
                        take(event.message());
                        if (done) {
                            break;
                        }
                    }
                    String next = response.nextForwardToken();
                    // At the end of the stream CloudWatch hands back the token it was given.
                    if (next == null || next.equals(token)) {
                        break;
                    }
                    token = next;
                }
            } catch (ResourceNotFoundException e) {
                // Not created yet: nothing logged so far.
            }
            return text.toByteArray();
        }

        private void take(String message) {
            if (!started) {
                started = message.equals(startLine);
                return;
            }
            if (startLine != null && message.startsWith(CODEBUILD_LINE)) {
                done = true;
                return;
            }
            byte[] line = (message + "\n").getBytes(StandardCharsets.UTF_8);
            if (text.size() + line.length > MAX_BYTES) {
                // Whole lines only, as the stored log ends.
                done = true;
                return;
            }
            text.writeBytes(line);
        }
    }
}
