package io.perfbox.infra;

import io.perfbox.adapter.aws.AwsJobNames;
import io.perfbox.adapter.aws.ecr.JobImages;
import io.perfbox.adapter.aws.ecs.JobTasks;
import io.perfbox.adapter.aws.ecs.TaskDefinitions;
import io.perfbox.adapter.aws.logs.RunLogs;
import io.perfbox.adapter.aws.s3.BuildArtifacts;
import io.perfbox.adapter.fs.LinkSafeFiles;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.PerformanceResult;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import io.perfbox.testing.aws.CollectorRecords;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.codebuild.CodeBuildClient;
import software.amazon.awssdk.services.codebuild.model.BatchGetBuildsRequest;
import software.amazon.awssdk.services.codebuild.model.BatchGetBuildsResponse;
import software.amazon.awssdk.services.codebuild.model.Build;
import software.amazon.awssdk.services.codebuild.model.StatusType;
import software.amazon.awssdk.services.codebuild.model.StopBuildRequest;
import software.amazon.awssdk.services.codebuild.model.StopBuildResponse;

/**
 * The AWS resources the workflow's handlers use, in memory, for the executions of the real state machine: what the
 * build left in the bucket, the run's log, and a record of every resource call (in order). A test can make any
 * call fail.
 */
final class FakeJobResources implements BuildArtifacts, TaskDefinitions, JobTasks, RunLogs {
    private final Map<String, byte[]> artifacts = new HashMap<>();
    private final Map<String, CapturedLog> runLogs = new HashMap<>();
    private final List<String> calls = new ArrayList<>();
    private final Map<String, RuntimeException> failing = new HashMap<>();
    private Path data;
    /** Tasks with a /data of their own (each ECS task has its own volume); any other task's is {@link #data}. */
    private final Map<String, Path> taskData = new HashMap<>();

    void putArtifact(JobId id, Artifact artifact, String content) {
        artifacts.put(id.value() + "/" + artifact.fileName(), content.getBytes(StandardCharsets.UTF_8));
    }

    void putRunLog(String taskArn, String text) {
        runLogs.put(taskArn, new CapturedLog(text, false));
    }

    /** Calls whose record starts with {@code prefix} throw {@code failure}. */
    void failOn(String prefix, RuntimeException failure) {
        failing.put(prefix, failure);
    }

    List<String> calls() {
        return List.copyOf(calls);
    }

    private void call(String record) {
        calls.add(record);
        failing.forEach((prefix, failure) -> {
            if (record.startsWith(prefix)) {
                throw failure;
            }
        });
    }

    @Override
    public Optional<Bounded> read(JobId id, Artifact artifact, int maxBytes) {
        byte[] content = artifacts.get(id.value() + "/" + artifact.fileName());
        if (content == null) {
            return Optional.empty();
        }
        return Optional.of(content.length > maxBytes
                ? new Bounded(Arrays.copyOf(content, maxBytes), true) : new Bounded(content, false));
    }

    @Override
    public String register(JobId id, String imageUri) {
        call("registerTaskDefinition " + id);
        return "arn:aws:ecs:eu-west-1:123456789012:task-definition/" + AwsJobNames.taskFamily(id) + ":1";
    }

    @Override
    public void removeAll(JobId id) {
        call("removeTaskDefinitions " + id);
    }

    @Override
    public List<String> stopAll(JobId id, String reason) {
        call("stopTasks " + id);
        // No task of these jobs is still running when the clean-up stops them (a mocked task never runs).
        return List.of();
    }

    @Override
    public CapturedLog read(String taskArn, int maxBytes) {
        call("readRunLog " + taskArn);
        return runLogs.getOrDefault(taskArn, CapturedLog.EMPTY);
    }

    /** The task's /data as the collector finds it: perf.json in this directory. */
    void dataOf(Path directory) {
        data = directory;
    }

    /** The /data of the task {@code taskArn} as its collector finds it: perf.json in this directory. */
    void dataOf(String taskArn, Path directory) {
        taskData.put(taskArn, directory);
    }

    /**
     * The collector's record (infra-cdk/task-helpers/collect.sh, CollectorRecord) of /data/perf.json, read as
     * the collector reads it: TaskHelpersImageIT shows the real collector's record of each kind of file is what
     * LinkSafeFiles reads of it.
     */
    @Override
    public List<String> collectorLines(String taskArn) {
        call("readCollectorLog " + taskArn);
        return CollectorRecords.of(
                LinkSafeFiles.read(taskData.getOrDefault(taskArn, data).resolve("perf.json"), PerformanceResult.MAX_BYTES));
    }

    /** The builds CodeBuild knows, by id: what BatchGetBuilds answers (anything else is in buildsNotFound). */
    private final Map<String, StatusType> builds = new HashMap<>();

    void build(String buildId, StatusType status) {
        builds.put(buildId, status);
    }

    /** CodeBuild as the clean-up's adapter calls it: BatchGetBuilds and StopBuild, recorded, in the SDK's shapes. */
    CodeBuildClient codeBuild() {
        return new CodeBuildClient() {
            @Override
            public BatchGetBuildsResponse batchGetBuilds(
                    BatchGetBuildsRequest request) {
                call("batchGetBuilds " + request.ids());
                List<Build> found = new ArrayList<>();
                List<String> notFound = new ArrayList<>();
                for (String buildId : request.ids()) {
                    if (builds.containsKey(buildId)) {
                        found.add(Build.builder().id(buildId)
                                .buildStatus(builds.get(buildId)).build());
                    } else {
                        notFound.add(buildId);
                    }
                }
                return BatchGetBuildsResponse.builder()
                        .builds(found).buildsNotFound(notFound).build();
            }

            @Override
            public StopBuildResponse stopBuild(
                    StopBuildRequest request) {
                call("stopBuild " + request.id());
                builds.put(request.id(), StatusType.STOPPED);
                return StopBuildResponse.builder().build();
            }

            @Override
            public String serviceName() {
                return "codebuild";
            }

            @Override
            public void close() {
            }
        };
    }

    /** The execution whose history the clean-up reads for the job's builds, recorded as a call. */
    String executionHistoryOf(String executionArn) {
        call("getExecutionHistory " + executionArn);
        return executionArn;
    }

    JobImages images() {
        return id -> call("deleteImage " + id);
    }
}
