package io.perfbox.adapter.aws.s3;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.adapter.aws.AwsJobNames;
import io.perfbox.adapter.aws.s3.BuildArtifacts.Artifact;
import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.ScanReport;
import io.perfbox.core.port.JobArtifactStore;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import io.perfbox.core.port.JobArtifactStore.LogKind;
import io.perfbox.testing.aws.LocalStack;
import io.perfbox.testing.contract.JobArtifactStoreContract;
import io.perfbox.testing.docker.RequiresDocker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/** The S3 artifact store on LocalStack's S3: the common contract, its layout, and deleting all of a job. */
@RequiresDocker
class S3JobArtifactStoreIT extends JobArtifactStoreContract {
    private static S3Client s3;
    private static String bucket;
    private static S3JobArtifactStore store;

    @BeforeAll
    static void bucket() {
        s3 = LocalStack.s3();
        bucket = LocalStack.newBucket(s3);
        store = new S3JobArtifactStore(s3, bucket);
    }

    @Override
    protected JobArtifactStore storeKeeping(int headBytes, int tailBytes) {
        return new S3JobArtifactStore(s3, bucket, headBytes, tailBytes);
    }

    @Override
    protected JobArtifactStore store() {
        return store;
    }

    private List<String> keysOf(JobId id) {
        List<String> keys = new ArrayList<>();
        s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(ArtifactKeys.jobPrefix(id))).contents()
                .forEach(o -> keys.add(o.key()));
        return keys;
    }

    private void put(String key, String content) {
        s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(content));
    }

    @Test
    void artifactsAreEncryptedObjectsUnderTheJobsArtifactsPrefix() {
        JobId id = JobId.random();
        store.saveLog(id, LogKind.BUILD, new CapturedLog("built", false));
        store.saveLog(id, LogKind.RUN, new CapturedLog("ran", true));
        store.saveScanReport(id, new ScanReport("trivy", "0.58.1", List.of()));

        String prefix = "jobs/" + id.value() + "/artifacts/";
        assertThat(keysOf(id)).containsExactlyInAnyOrder(
                prefix + "build-log.json", prefix + "run-log.json", prefix + "scan-report.json");
        for (String key : keysOf(id)) {
            var head = s3.headObject(b -> b.bucket(bucket).key(key));
            assertThat(head.serverSideEncryption()).as(key).isEqualTo(ServerSideEncryption.AES256);
            assertThat(head.contentType()).as(key).isEqualTo("application/json");
        }
    }

    @Test
    void deleteAllAlsoRemovesTheDockerfileAndWhatCodeBuildWrote() {
        JobId id = JobId.random();
        JobId neighbour = JobId.random();
        for (JobId j : List.of(id, neighbour)) {
            new S3DockerfileStore(s3, bucket).save(j, new Dockerfile("FROM debian:bookworm\n"));
            put(AwsJobNames.artifactKey(j, Artifact.LOG.fileName()), "docker build output");
            put(AwsJobNames.artifactKey(j, Artifact.OUTCOME.fileName()), "{\"outcome\":\"BUILT\"}");
            put(AwsJobNames.artifactKey(j, Artifact.SCAN_REPORT.fileName()), "{}");
            store.saveLog(j, LogKind.BUILD, new CapturedLog("build", false));
        }
        assertThat(keysOf(id)).hasSize(5);

        store.deleteAll(id);

        assertThat(keysOf(id)).isEmpty();
        assertThat(keysOf(neighbour)).hasSize(5);
    }

    @Test
    void deleteAllRemovesMoreObjectsThanOneDeleteRequestTakes() throws Exception {
        JobId id = JobId.random();
        int count = 1_005; // DeleteObjects takes at most 1000 keys: this needs two requests
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> puts = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String key = ArtifactKeys.jobPrefix(id) + "layers/" + i;
                puts.add(pool.submit(() -> put(key, "x")));
            }
            for (Future<?> f : puts) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertThat(keysOf(id)).hasSize(count);

        store.deleteAll(id);

        List<S3Object> left = s3.listObjectsV2(b -> b.bucket(bucket).prefix(ArtifactKeys.jobPrefix(id))).contents();
        assertThat(left).isEmpty();
    }
}
