package io.perfbox.adapter.aws.logs;

import io.perfbox.adapter.aws.AwsJobNames;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import java.nio.charset.StandardCharsets;
import java.util.List;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.GetLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.OutputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceNotFoundException;

/**
 * {@link RunLogs} from CloudWatch Logs: the container's stream {@code job/job/<task id>} in the run log group (and the
 * collector's, {@code job/collector/<task id>}), read
 * from its start, whole lines only, until the bound (then truncated). A stream that was never created (the
 * container never started) is an empty log.
 */
public class CloudWatchRunLogs implements RunLogs {
    /** GetLogEvents returns at most this many events a page. */
    static final int PAGE = 10_000;
    /** A stream can answer pages without events; this many pages end the read however few bytes they held. */
    static final int MAX_PAGES = 100;

    private final CloudWatchLogsClient logs;
    private final String logGroup;

    public CloudWatchRunLogs(CloudWatchLogsClient logs, String logGroup) {
        this.logs = logs;
        this.logGroup = logGroup;
    }

    /** The collector writes its record of a result file of 64 KiB in base64: this leaves room for it. */
    static final int COLLECTOR_MAX_BYTES = 256 * 1024;

    @Override
    public CapturedLog read(String taskArn, int maxBytes) {
        return readStream(AwsJobNames.runLogStream(taskArn), maxBytes);
    }

    @Override
    public List<String> collectorLines(String taskArn) {
        CapturedLog log = readStream(AwsJobNames.collectorLogStream(taskArn), COLLECTOR_MAX_BYTES);
        if (log.truncated()) {
            throw new IllegalStateException("the collector's log stream of " + taskArn + " holds more than "
                    + COLLECTOR_MAX_BYTES + " bytes, which its record never does");
        }
        return log.text().lines().toList();
    }

    private CapturedLog readStream(String stream, int maxBytes) {
        StringBuilder text = new StringBuilder();
        long bytes = 0;
        String token = null;
        try {
            for (int page = 0; page < MAX_PAGES; page++) {
                String from = token;
                GetLogEventsResponse response = logs.getLogEvents(b -> b.logGroupName(logGroup).logStreamName(stream)
                        .startFromHead(true).limit(PAGE).nextToken(from));
                for (OutputLogEvent event : response.events()) {
                    String line = event.message() + "\n";
                    int size = line.getBytes(StandardCharsets.UTF_8).length;
                    if (bytes + size > maxBytes) {
                        return new CapturedLog(text.toString(), true);
                    }
                    text.append(line);
                    bytes += size;
                }
                String next = response.nextForwardToken();
                // At the end of the stream CloudWatch hands back the token it was given.
                if (next == null || next.equals(token)) {
                    return new CapturedLog(text.toString(), false);
                }
                token = next;
            }
            return new CapturedLog(text.toString(), true);
        } catch (ResourceNotFoundException e) {
            return CapturedLog.EMPTY;
        }
    }
}
