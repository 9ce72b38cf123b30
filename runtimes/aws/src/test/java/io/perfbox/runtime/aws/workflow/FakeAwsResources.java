package io.perfbox.runtime.aws.workflow;

import io.perfbox.adapter.aws.AwsJobNames;
import io.perfbox.adapter.aws.codebuild.JobBuilds;
import io.perfbox.adapter.aws.ecr.JobImages;
import io.perfbox.adapter.aws.ecs.JobTasks;
import io.perfbox.adapter.aws.ecs.TaskDefinitions;
import io.perfbox.adapter.aws.logs.RunLogs;
import io.perfbox.adapter.aws.s3.BuildArtifacts;

import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * In-memory stand-ins for the workflow's AWS ports: what the build left in the bucket, the run logs (the job's and
 * its collector's), and a record
 * of every resource call, in order. A test can make any resource call fail.
 */
class FakeAwsResources implements BuildArtifacts, TaskDefinitions, JobTasks, RunLogs {
    private final Map<String, byte[]> artifacts = new HashMap<>();
    private final Map<String, CapturedLog> runLogs = new HashMap<>();
    private final Map<String, List<List<String>>> collectorReads = new HashMap<>();
    private final List<String> calls = new ArrayList<>();
    private final Map<String, RuntimeException> failing = new HashMap<>();
    private List<String> runningTasks = List.of();
    private List<String> stoppedTasks = List.of();

    private final JobImages images = id -> call("deleteImage " + id);
    /** The builds still in progress, by job: stopInProgress stops (and forgets) them. */
    private final Map<JobId, List<String>> buildsInProgress = new HashMap<>();
    private final JobBuilds builds = id -> {
        call("stopBuilds " + id);
        List<String> stopped = buildsInProgress.getOrDefault(id, List.of());
        buildsInProgress.remove(id);
        return stopped;
    };

    WorkflowPorts ports() {
        return new WorkflowPorts(this, this, this, images, this);
    }

    JobCleanUp cleanUp() {
        return new JobCleanUp(builds, this, this, images);
    }

    /** A build of the job CodeBuild still runs. */
    void buildInProgress(JobId id, String buildId) {
        buildsInProgress.computeIfAbsent(id, k -> new ArrayList<>()).add(buildId);
    }

    /** The job's builds the fake still counts as in progress. */
    List<String> buildsInProgress(JobId id) {
        return buildsInProgress.getOrDefault(id, List.of());
    }

    void putArtifact(JobId id, Artifact artifact, String content) {
        artifacts.put(id.value() + "/" + artifact.fileName(), content.getBytes(StandardCharsets.UTF_8));
    }

    void removeArtifact(JobId id, Artifact artifact) {
        artifacts.remove(id.value() + "/" + artifact.fileName());
    }

    void putRunLog(String taskArn, CapturedLog log) {
        runLogs.put(taskArn, log);
    }

    /**
     * What the task's collector stream holds at each read, in turn (the last one from then on): e.g. a record not
     * yet complete, then the whole record, as CloudWatch Logs delivers it.
     */
    @SafeVarargs
    final void putCollectorLines(String taskArn, List<String>... reads) {
        List<List<String>> inTurn = new ArrayList<>(reads.length);
        for (List<String> read : reads) {
            inTurn.add(read);
        }
        collectorReads.put(taskArn, inTurn);
    }

    /** The job's tasks ECS lists: running ones (stopAll stops them) and ones stopped earlier. */
    void tasks(List<String> running, List<String> stopped) {
        runningTasks = List.copyOf(running);
        stoppedTasks = List.copyOf(stopped);
    }

    /** Calls whose record starts with {@code callPrefix} (e.g. "deleteImage") throw {@code failure}. */
    void failOn(String callPrefix, RuntimeException failure) {
        failing.put(callPrefix, failure);
    }

    /** Every resource call so far, e.g. "createAccessPoint <id>". */
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
                ? new Bounded(Arrays.copyOf(content, maxBytes), true)
                : new Bounded(content, false));
    }

    @Override
    public String register(JobId id, String imageUri) {
        call("registerTaskDefinition " + id + " " + imageUri);
        return "arn:aws:ecs:eu-west-1:123456789012:task-definition/" + AwsJobNames.taskFamily(id) + ":1";
    }

    @Override
    public void removeAll(JobId id) {
        call("removeTaskDefinitions " + id);
    }

    @Override
    public List<String> stopAll(JobId id, String reason) {
        call("stopTasks " + id);
        List<String> all = new ArrayList<>(runningTasks);
        all.addAll(stoppedTasks);
        stoppedTasks = List.copyOf(all);
        runningTasks = List.of();
        return all;
    }

    @Override
    public CapturedLog read(String taskArn, int maxBytes) {
        call("readRunLog " + taskArn);
        return runLogs.getOrDefault(taskArn, CapturedLog.EMPTY);
    }

    @Override
    public List<String> collectorLines(String taskArn) {
        call("readCollectorLog " + taskArn);
        List<List<String>> reads = collectorReads.getOrDefault(taskArn, List.of());
        if (reads.isEmpty()) {
            return List.of();
        }
        return reads.size() == 1 ? reads.get(0) : reads.remove(0);
    }
}
