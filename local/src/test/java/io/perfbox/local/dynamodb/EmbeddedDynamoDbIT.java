package io.perfbox.local.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.aws.dynamodb.DynamoDbJobStore;
import io.perfbox.aws.dynamodb.JobTable;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedDynamoDbIT {

    @Test
    void jobsSurviveAStopAndAStartOnTheSameDirectory(@TempDir Path dir) {
        Job job = Job.queued(JobId.random(), "me", "n", null, Instant.parse("2026-01-01T00:00:00.123456789Z"));
        try (EmbeddedDynamoDb db = EmbeddedDynamoDb.start(dir)) {
            JobTable.createIfMissing(db.client(), "jobs");
            new DynamoDbJobStore(db.client(), "jobs").create(job, Optional.empty());
        }
        assertThat(Files.exists(dir)).isTrue();
        try (EmbeddedDynamoDb db = EmbeddedDynamoDb.start(dir)) {
            JobTable.createIfMissing(db.client(), "jobs");
            assertThat(new DynamoDbJobStore(db.client(), "jobs").find(job.id())).contains(job);
        }
    }

    @Test
    void twoDirectoriesAreTwoSeparateDatabases(@TempDir Path a, @TempDir Path b) {
        Job job = Job.queued(JobId.random(), "me", null, null, Instant.now());
        try (EmbeddedDynamoDb first = EmbeddedDynamoDb.start(a); EmbeddedDynamoDb second = EmbeddedDynamoDb.start(b)) {
            JobTable.createIfMissing(first.client(), "jobs");
            JobTable.createIfMissing(second.client(), "jobs");
            new DynamoDbJobStore(first.client(), "jobs").create(job, Optional.empty());
            assertThat(new DynamoDbJobStore(second.client(), "jobs").find(job.id())).isEmpty();
            assertThat(first.port()).isNotEqualTo(second.port());
        }
    }
}
