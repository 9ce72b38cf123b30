package io.perfbox.adapter.aws.s3;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.ScanReport;
import io.perfbox.core.log.BoundedLog;
import io.perfbox.core.port.JobArtifactStore;
import io.perfbox.core.port.LogSlice;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Error;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * A job's logs and scan report as JSON objects under {@code jobs/<id>/artifacts/} in the artifact bucket.
 * {@link #deleteAll} removes every object under {@code jobs/<id>/}, also what CodeBuild wrote there. A log stored
 * whole is {@code {"text","truncated"}}; one written as it is produced is its bounded state (head, tail, count),
 * put again on every append: an object cannot be appended to. The AWS runtime therefore stores logs whole when a
 * step ends and reads them live from CloudWatch Logs meanwhile; appending here is for completeness of the port.
 */
public class S3JobArtifactStore implements JobArtifactStore {
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    /** DeleteObjects takes at most 1000 keys per request. */
    private static final int DELETE_BATCH = 1000;

    private final S3Client s3;
    private final String bucket;

    private final int headBytes;
    private final int tailBytes;

    public S3JobArtifactStore(S3Client s3, String bucket) {
        this(s3, bucket, BoundedLog.DEFAULT_HEAD_BYTES, BoundedLog.DEFAULT_TAIL_BYTES);
    }

    /** Logs written as they are produced keep this many bytes from their start and from their end. */
    public S3JobArtifactStore(S3Client s3, String bucket, int headBytes, int tailBytes) {
        this.s3 = s3;
        this.bucket = bucket;
        this.headBytes = headBytes;
        this.tailBytes = tailBytes;
    }

    private static String logKey(JobId id, LogKind kind) {
        return ArtifactKeys.artifactsPrefix(id) + kind.name().toLowerCase(Locale.ROOT) + "-log.json";
    }

    private static String scanReportKey(JobId id) {
        return ArtifactKeys.artifactsPrefix(id) + "scan-report.json";
    }

    @Override
    public void saveLog(JobId id, LogKind kind, CapturedLog log) {
        put(logKey(id, kind), log);
    }

    @Override
    public Optional<CapturedLog> log(JobId id, LogKind kind) {
        return stored(id, kind).map(BoundedLog::toCapturedLog);
    }

    @Override
    public Optional<LogSlice> readLog(JobId id, LogKind kind, long offset, int maxBytes) {
        return stored(id, kind).map(l -> l.read(offset, maxBytes));
    }

    private Optional<BoundedLog> stored(JobId id, LogKind kind) {
        return get(logKey(id, kind), JsonNode.class).map(json -> {
            try {
                return json.has("text") ? BoundedLog.whole(JSON.treeToValue(json, CapturedLog.class))
                        : BoundedLog.of(JSON.treeToValue(json, BoundedLog.Snapshot.class));
            } catch (IOException e) {
                throw new UncheckedIOException("could not read the " + kind + " log of job " + id, e);
            }
        });
    }

    @Override
    public LogWriter openLog(JobId id, LogKind kind) {
        BoundedLog log = new BoundedLog(headBytes, tailBytes);
        String key = logKey(id, kind);
        String[] etag = {put(key, log.snapshot())};
        return new LogWriter() {
            @Override
            public void write(byte[] bytes, int offset, int length) {
                log.append(bytes, offset, length);
                putIfStillOurs();
            }

            @Override
            public void close() {
                log.complete();
                putIfStillOurs();
            }

            /** A log deleted or replaced since (the job deleted, the log stored whole) stays so: this writer stops. */
            private void putIfStillOurs() {
                if (etag[0] == null) {
                    return;
                }
                String now;
                try {
                    now = s3.headObject(b -> b.bucket(bucket).key(key)).eTag();
                } catch (NoSuchKeyException e) {
                    now = null;
                } catch (S3Exception e) {
                    if (e.statusCode() != 404) {
                        throw e;
                    }
                    now = null;
                }
                etag[0] = etag[0].equals(now) ? put(key, log.snapshot()) : null;
            }
        };
    }

    @Override
    public void saveScanReport(JobId id, ScanReport report) {
        put(scanReportKey(id), report);
    }

    @Override
    public Optional<ScanReport> scanReport(JobId id) {
        return get(scanReportKey(id), ScanReport.class);
    }

    @Override
    public void deleteAll(JobId id) {
        List<ObjectIdentifier> batch = new ArrayList<>();
        for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(ArtifactKeys.jobPrefix(id))).contents()) {
            batch.add(ObjectIdentifier.builder().key(object.key()).build());
            if (batch.size() == DELETE_BATCH) {
                deleteBatch(batch);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            deleteBatch(batch);
        }
    }

    private void deleteBatch(List<ObjectIdentifier> keys) {
        DeleteObjectsResponse response = s3.deleteObjects(b -> b.bucket(bucket)
                .delete(d -> d.objects(List.copyOf(keys)).quiet(true)));
        // DeleteObjects answers 200 even when single keys failed: a job's data must not stay behind unnoticed.
        if (response.hasErrors() && !response.errors().isEmpty()) {
            S3Error first = response.errors().get(0);
            throw new IllegalStateException("could not delete " + response.errors().size() + " object(s) of a job from "
                    + bucket + ", e.g. " + first.key() + ": " + first.code() + " " + first.message());
        }
    }

    /** Returns the object's ETag. */
    private String put(String key, Object value) {
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        return s3.putObject(b -> b.bucket(bucket).key(key).contentType("application/json")
                .serverSideEncryption(ServerSideEncryption.AES256), RequestBody.fromBytes(json)).eTag();
    }

    private <T> Optional<T> get(String key, Class<T> type) {
        byte[] bytes;
        try {
            bytes = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(bytes, type));
        } catch (IOException e) {
            throw new UncheckedIOException("could not read s3://" + bucket + "/" + key, e);
        }
    }
}
