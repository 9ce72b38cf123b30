package io.perfbox.infra;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.GetLogEventsRequest;
import software.amazon.awssdk.services.codebuild.model.BatchGetBuildsRequest;
import software.amazon.awssdk.services.codebuild.model.StopBuildRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.ecr.model.BatchDeleteImageRequest;
import software.amazon.awssdk.services.ecr.model.ListImagesRequest;
import software.amazon.awssdk.services.ecs.model.DeleteTaskDefinitionsRequest;
import software.amazon.awssdk.services.ecs.model.DeregisterTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.ListTaskDefinitionsRequest;
import software.amazon.awssdk.services.ecs.model.ListTasksRequest;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionResponse;
import software.amazon.awssdk.services.ecs.model.StopTaskRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectsRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionRequest;
import software.amazon.awssdk.services.sfn.model.GetExecutionHistoryRequest;
import software.amazon.awssdk.services.sfn.model.StartExecutionRequest;
import software.amazon.awssdk.services.sfn.model.StopExecutionRequest;

/**
 * What IAM authorizes for each SDK operation the adapters send: the action (which is not always the operation's
 * name: ListObjectsV2 is s3:ListBucket, HeadObject s3:GetObject, a transaction one action per item), the resource
 * ARN built from the request as the service's authorization reference describes it, the condition keys the request
 * carries, and the authorizations the service checks besides (iam:PassRole for the roles a task definition names,
 * TagResource for tags given at creation, s3:ListBucket for a read of a missing key to be answered 404 rather than
 * 403). One line per operation: an operation without a line fails the recording, naming itself.
 */
final class IamActions {
    /** What a rule sees of one exchange: the request, the response or the error, and ARNs of this account. */
    record Exchange(SdkRequest request, Optional<SdkResponse> response, Optional<Throwable> failure, Arns arns,
                    Map<String, Map<String, String>> resourceTags) {
        /** The service answered 404 (a missing key or object). */
        boolean notFound() {
            return failure.filter(f -> f instanceof AwsServiceException e
                    && e.statusCode() == 404).isPresent();
        }
    }

    /** An authorization, before the function is known. */
    record Need(String action, String resource, Map<String, String> context) {
        Need(String action, String resource) {
            this(action, resource, Map.of());
        }
    }

    interface Rule<R extends SdkRequest> {
        List<Need> needs(R request, Exchange exchange);
    }

    private record Typed<R extends SdkRequest>(Class<R> type, Rule<R> rule) {
        List<Need> apply(Exchange exchange) {
            return rule.needs(type.cast(exchange.request()), exchange);
        }
    }

    /** The ARNs of one account and region (the engine's, which the resolved template uses too). */
    record Arns(String region, String account) {
        String arn(String service, String resource) {
            return "arn:aws:" + service + ":" + region + ":" + account + ":" + resource;
        }

        String table(String name) {
            return name.startsWith("arn:") ? name : arn("dynamodb", "table/" + name);
        }

        String bucket(String name) {
            return "arn:aws:s3:::" + name;
        }

        String object(String bucket, String key) {
            return bucket(bucket) + "/" + key;
        }

        String cluster(String nameOrArn) {
            return nameOrArn.startsWith("arn:") ? nameOrArn : arn("ecs", "cluster/" + nameOrArn);
        }

        String task(String cluster, String task) {
            if (task.startsWith("arn:")) {
                return task;
            }
            String name = cluster(cluster).substring(cluster(cluster).indexOf(":cluster/") + ":cluster/".length());
            return arn("ecs", "task/" + name + "/" + task);
        }

        String taskDefinition(String familyRevisionOrArn) {
            return familyRevisionOrArn.startsWith("arn:") ? familyRevisionOrArn
                    : arn("ecs", "task-definition/" + familyRevisionOrArn);
        }

        String repository(String name) {
            return arn("ecr", "repository/" + name);
        }

        String buildProject(String buildId) {
            return arn("codebuild", "project/" + buildId.substring(0, buildId.indexOf(':')));
        }

        String logStream(String group, String stream) {
            return arn("logs", "log-group:" + group + ":log-stream:" + stream);
        }
    }

    private static final Map<String, Typed<?>> RULES = new LinkedHashMap<>();

    static {
        // DynamoDB: conditions and ReturnValues need no other action; a transaction needs each item's own action.
        rule("DynamoDb", "GetItem", GetItemRequest.class, (r, x) -> one("dynamodb:GetItem", x.arns.table(r.tableName())));
        rule("DynamoDb", "PutItem", PutItemRequest.class, (r, x) -> one("dynamodb:PutItem", x.arns.table(r.tableName())));
        rule("DynamoDb", "UpdateItem", UpdateItemRequest.class, (r, x) -> one("dynamodb:UpdateItem", x.arns.table(r.tableName())));
        rule("DynamoDb", "DeleteItem", DeleteItemRequest.class, (r, x) -> one("dynamodb:DeleteItem", x.arns.table(r.tableName())));
        rule("DynamoDb", "Query", QueryRequest.class, (r, x) -> one("dynamodb:Query",
                x.arns.table(r.tableName()) + (r.indexName() == null ? "" : "/index/" + r.indexName())));
        rule("DynamoDb", "Scan", ScanRequest.class, (r, x) -> one("dynamodb:Scan",
                x.arns.table(r.tableName()) + (r.indexName() == null ? "" : "/index/" + r.indexName())));
        rule("DynamoDb", "TransactWriteItems", TransactWriteItemsRequest.class, (r, x) -> transaction(r, x.arns));
        // S3: a read of a missing key is 404 only with s3:ListBucket on the bucket (else 403).
        rule("S3", "GetObject", GetObjectRequest.class, (r, x) -> read(r.bucket(), r.key(), x));
        rule("S3", "HeadObject", HeadObjectRequest.class, (r, x) -> read(r.bucket(), r.key(), x));
        rule("S3", "PutObject", PutObjectRequest.class, (r, x) -> one("s3:PutObject", x.arns.object(r.bucket(), r.key())));
        rule("S3", "DeleteObject", DeleteObjectRequest.class, (r, x) -> one("s3:DeleteObject", x.arns.object(r.bucket(), r.key())));
        rule("S3", "DeleteObjects", DeleteObjectsRequest.class, (r, x) -> r.delete().objects().stream()
                .map(o -> new Need("s3:DeleteObject", x.arns.object(r.bucket(), o.key()))).toList());
        rule("S3", "ListObjectsV2", ListObjectsV2Request.class, (r, x) -> one("s3:ListBucket", x.arns.bucket(r.bucket())));
        // ECS
        rule("Ecs", "RegisterTaskDefinition", RegisterTaskDefinitionRequest.class, IamActions::registerTaskDefinition);
        rule("Ecs", "ListTasks", ListTasksRequest.class, (r, x) -> List.of(new Need("ecs:ListTasks", "*",
                Map.of("ecs:cluster", x.arns.cluster(r.cluster())))));
        rule("Ecs", "StopTask", StopTaskRequest.class, (r, x) -> List.of(new Need("ecs:StopTask",
                x.arns.task(r.cluster(), r.task()), Map.of("ecs:cluster", x.arns.cluster(r.cluster())))));
        rule("Ecs", "ListTaskDefinitions", ListTaskDefinitionsRequest.class,
                (r, x) -> one("ecs:ListTaskDefinitions", "*"));
        rule("Ecs", "DeregisterTaskDefinition", DeregisterTaskDefinitionRequest.class,
                (r, x) -> one("ecs:DeregisterTaskDefinition", "*"));
        rule("Ecs", "DeleteTaskDefinitions", DeleteTaskDefinitionsRequest.class, (r, x) -> r.taskDefinitions().stream()
                .map(d -> new Need("ecs:DeleteTaskDefinitions", x.arns.taskDefinition(d))).toList());
        // ECR, CloudWatch Logs, Step Functions
        rule("Ecr", "BatchDeleteImage", BatchDeleteImageRequest.class, (r, x) -> one("ecr:BatchDeleteImage",
                x.arns.repository(r.repositoryName())));
        rule("CloudWatchLogs", "GetLogEvents", GetLogEventsRequest.class, (r, x) -> one("logs:GetLogEvents",
                x.arns.logStream(r.logGroupName(), r.logStreamName())));
        rule("Sfn", "StartExecution", StartExecutionRequest.class, (r, x) -> one("states:StartExecution",
                r.stateMachineArn()));
        rule("Sfn", "StopExecution", StopExecutionRequest.class, (r, x) -> one("states:StopExecution",
                r.executionArn()));
        rule("Sfn", "GetExecutionHistory", GetExecutionHistoryRequest.class, (r, x) -> one(
                "states:GetExecutionHistory", r.executionArn()));
        rule("Sfn", "DescribeExecution", DescribeExecutionRequest.class,
                (r, x) -> one("states:DescribeExecution", r.executionArn()));
        rule("Ecr", "ListImages", ListImagesRequest.class, (r, x) -> one(
                "ecr:ListImages", x.arns.repository(r.repositoryName())));
        // CodeBuild: a build is authorized on its project (the id is <project>:<uuid>).
        rule("CodeBuild", "BatchGetBuilds", BatchGetBuildsRequest.class,
                (r, x) -> r.ids().stream().map(id -> new Need("codebuild:BatchGetBuilds", x.arns.buildProject(id)))
                        .distinct().toList());
        rule("CodeBuild", "StopBuild", StopBuildRequest.class,
                (r, x) -> one("codebuild:StopBuild", x.arns.buildProject(r.id())));
    }

    private IamActions() {
    }

    /** The one place a new operation is added (service as the SDK names it, e.g. DynamoDb, S3, Ecs, Sfn). */
    private static <R extends SdkRequest> void rule(String service, String operation, Class<R> type, Rule<R> rule) {
        RULES.put(service + "." + operation, new Typed<>(type, rule));
    }

    /** The authorizations of one exchange; IllegalStateException for an operation this table does not know. */
    static List<Need> needs(String service, String operation, Exchange exchange) {
        Typed<?> typed = RULES.get(service + "." + operation);
        if (typed == null) {
            throw new IllegalStateException("no IAM rule for " + service + "." + operation
                    + ": add one line for it in IamActions");
        }
        return typed.apply(exchange);
    }

    private static List<Need> one(String action, String resource) {
        return List.of(new Need(action, resource));
    }

    private static List<Need> read(String bucket, String key, Exchange x) {
        List<Need> needs = new ArrayList<>(one("s3:GetObject", x.arns.object(bucket, key)));
        if (x.notFound()) {
            needs.add(new Need("s3:ListBucket", x.arns.bucket(bucket)));
        }
        return needs;
    }

    private static List<Need> transaction(TransactWriteItemsRequest request, Arns arns) {
        List<Need> needs = new ArrayList<>();
        for (TransactWriteItem item : request.transactItems()) {
            if (item.put() != null) {
                needs.add(new Need("dynamodb:PutItem", arns.table(item.put().tableName())));
            }
            if (item.update() != null) {
                needs.add(new Need("dynamodb:UpdateItem", arns.table(item.update().tableName())));
            }
            if (item.delete() != null) {
                needs.add(new Need("dynamodb:DeleteItem", arns.table(item.delete().tableName())));
            }
            if (item.conditionCheck() != null) {
                needs.add(new Need("dynamodb:ConditionCheckItem", arns.table(item.conditionCheck().tableName())));
            }
        }
        return needs;
    }

    /** The family's ARN (its revision from the answer), the roles it names passed to ECS tasks, its tags on create. */
    private static List<Need> registerTaskDefinition(RegisterTaskDefinitionRequest r, Exchange x) {
        String arn = x.response().map(s -> ((RegisterTaskDefinitionResponse) s).taskDefinition().taskDefinitionArn())
                .orElse(x.arns.taskDefinition(r.family() + ":1"));
        Map<String, String> requestTags = new LinkedHashMap<>();
        r.tags().forEach(t -> requestTags.put("aws:RequestTag/" + t.key(), t.value()));
        List<Need> needs = new ArrayList<>(List.of(new Need("ecs:RegisterTaskDefinition", arn, requestTags)));
        for (String role : new String[] {r.executionRoleArn(), r.taskRoleArn()}) {
            if (role != null) {
                needs.add(new Need("iam:PassRole", role, Map.of("iam:PassedToService", "ecs-tasks.amazonaws.com")));
            }
        }
        if (!r.tags().isEmpty()) {
            Map<String, String> context = new LinkedHashMap<>(requestTags);
            context.put("ecs:CreateAction", "RegisterTaskDefinition");
            needs.add(new Need("ecs:TagResource", arn, context));
        }
        return needs;
    }

    private static Map<String, String> resourceTags(Map<String, String> tags) {
        Map<String, String> context = new LinkedHashMap<>();
        if (tags != null) {
            tags.forEach((k, v) -> context.put("aws:ResourceTag/" + k, v));
        }
        return context;
    }
}
