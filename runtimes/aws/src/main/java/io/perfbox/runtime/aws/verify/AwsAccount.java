package io.perfbox.runtime.aws.verify;

import io.perfbox.adapter.aws.apigateway.ApiGatewayUsagePlanKeys;
import io.perfbox.adapter.aws.dynamodb.DynamoDbApiKeyStore;
import io.perfbox.core.auth.ApiKeys;
import io.perfbox.runtime.aws.auth.KeysTool;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.Serial;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.apigateway.ApiGatewayClient;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.Stack;
import software.amazon.awssdk.services.cloudformation.model.StackResourceSummary;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.codebuild.CodeBuildClient;
import software.amazon.awssdk.services.codebuild.model.Build;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * The user's AWS account as verify uses it, with the user's own profile (the SDK's and the CDK CLI's default chain:
 * {@code AWS_PROFILE}, {@code AWS_REGION}, SSO; {@code AWS_ENDPOINT_URL_<SERVICE>} are honoured, which is how the
 * tests point it at LocalStack and moto). The stack is deployed and destroyed by the CDK CLI, as docs/aws.md does.
 */
final class AwsAccount {
    /** A service of the stack did not answer, the account is not ready, or a step failed: exit code 3. */
    static final class Stop extends Exception {
        @Serial
        private static final long serialVersionUID = 1L;

        Stop(String message) {
            super(message);
        }
    }

    /**
     * One service's answer to the preflight.
     *
     * @param service its name, as AWS writes it
     * @param answered whether it answered the call
     * @param detail what went wrong, when it did not
     */
    record Probe(String service, boolean answered, String detail) {
    }

    private final Region region;
    private final Path infraCdk;
    private final PrintStream progress;

    AwsAccount(Region region, Path infraCdk, PrintStream progress) {
        this.region = region;
        this.infraCdk = infraCdk;
        this.progress = progress;
    }

    Region region() {
        return region;
    }

    /** Every service the stack and verify use, asked one cheap read each: which answered. */
    List<Probe> probe() {
        Map<String, Callable<Object>> calls = new LinkedHashMap<>();
        calls.put("CloudFormation", () -> { try (var c = CloudFormationClient.builder().region(region).build()) {
            return c.listStacks(r -> r.nextToken(null)); } });
        calls.put("S3", () -> { try (var c = S3Client.builder().region(region).build()) {
            return c.listBuckets(r -> r.maxBuckets(1)); } });
        calls.put("ECR", () -> { try (var c = EcrClient.builder().region(region).build()) {
            return c.describeRepositories(r -> r.maxResults(1)); } });
        calls.put("Lambda", () -> { try (var c = LambdaClient.builder().region(region).build()) {
            return c.listFunctions(r -> r.maxItems(1)); } });
        calls.put("API Gateway", () -> { try (var c = ApiGatewayClient.builder().region(region).build()) {
            return c.getRestApis(r -> r.limit(1)); } });
        calls.put("DynamoDB", () -> { try (var c = DynamoDbClient.builder().region(region).build()) {
            return c.listTables(r -> r.limit(1)); } });
        calls.put("Step Functions", () -> { try (var c = SfnClient.builder().region(region).build()) {
            return c.listStateMachines(r -> r.maxResults(1)); } });
        calls.put("CodeBuild", () -> { try (var c = CodeBuildClient.builder().region(region).build()) {
            return c.listProjects(r -> r.nextToken(null)); } });
        calls.put("ECS", () -> { try (var c = EcsClient.builder().region(region).build()) {
            return c.listClusters(r -> r.maxResults(1)); } });
        calls.put("CloudWatch Logs", () -> { try (var c = CloudWatchLogsClient.builder().region(region).build()) {
            return c.describeLogGroups(r -> r.limit(1)); } });
        List<Probe> probes = new ArrayList<>();
        calls.forEach((service, call) -> probes.add(probe(service, call)));
        return probes;
    }

    private static Probe probe(String service, Callable<Object> call) {
        try {
            call.call();
            return new Probe(service, true, "");
        } catch (SdkServiceException e) {
            return new Probe(service, false, "answered HTTP " + e.statusCode() + ": " + firstLine(e.getMessage()));
        } catch (SdkException e) {
            return new Probe(service, false, firstLine(e.getMessage()));
        } catch (Exception e) {
            return new Probe(service, false, e.getClass().getSimpleName() + ": " + firstLine(e.getMessage()));
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        String line = s.lines().findFirst().orElse("");
        return line.length() > 240 ? line.substring(0, 240) + "…" : line;
    }

    /** The CDK bootstrap stack must exist in this account and region before a deploy. */
    void requireBootstrap() throws Stop {
        try (var cfn = CloudFormationClient.builder().region(region).build()) {
            cfn.describeStacks(r -> r.stackName("CDKToolkit"));
        } catch (SdkServiceException e) {
            throw new Stop("the account is not bootstrapped for CDK in " + region + " (no CDKToolkit stack): run "
                    + "`cd infra-cdk && npx aws-cdk@latest bootstrap aws://<account>/" + region + "` once, then verify again");
        }
    }

    /** `npx aws-cdk@latest deploy NAME` with verify's settings, its output on stderr. */
    void deploy(String stack, Map<String, String> context) throws Stop, InterruptedException {
        List<String> command = new ArrayList<>(List.of("npx", "aws-cdk@latest", "deploy", stack,
                "-c", "perfbox:stackName=" + stack, "--require-approval", "never"));
        context.forEach((k, v) -> command.addAll(List.of("-c", k + "=" + v)));
        cdk(command, "deploy");
    }

    /** `npx aws-cdk@latest destroy NAME --force`. */
    void destroy(String stack) throws Stop, InterruptedException {
        cdk(List.of("npx", "aws-cdk@latest", "destroy", stack, "-c", "perfbox:stackName=" + stack, "--force"), "destroy");
    }

    private void cdk(List<String> command, String what) throws Stop, InterruptedException {
        progress.println("perfbox aws verify: (cd infra-cdk && " + String.join(" ", command) + ")");
        ProcessBuilder pb = new ProcessBuilder(command).directory(infraCdk.toFile()).redirectErrorStream(true);
        pb.environment().put("AWS_REGION", region.id());
        pb.environment().putIfAbsent("npm_config_yes", "true");
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new Stop("could not run npx (Node.js 18+ is needed for the CDK CLI): " + e.getMessage());
        }
        // The CLI's output goes to stderr: stdout carries the report only.
        Thread pump = Thread.ofVirtual().start(() -> {
            try (InputStream in = p.getInputStream()) {
                in.transferTo(progress);
            } catch (IOException e) {
                // the process ended
            }
        });
        int status = p.waitFor();
        pump.join(TimeUnit.SECONDS.toMillis(5));
        if (status != 0) {
            throw new Stop("`cdk " + what + "` failed with exit code " + status + " (its output above)");
        }
    }

    /** The stack's outputs, by key. */
    Map<String, String> outputs(String stack) throws Stop {
        try (var cfn = CloudFormationClient.builder().region(region).build()) {
            Stack s = cfn.describeStacks(r -> r.stackName(stack)).stacks().get(0);
            Map<String, String> out = new LinkedHashMap<>();
            s.outputs().forEach(o -> out.put(o.outputKey(), o.outputValue()));
            return out;
        } catch (SdkException e) {
            throw new Stop("could not read the outputs of stack " + stack + ": " + firstLine(e.getMessage()));
        }
    }

    /**
     * Waits for the stack's first scanner mirror build (jobs submitted before it ended would end SCANNER_UNAVAILABLE).
     */
    void awaitScannerMirror(String stack, Duration timeout) throws Stop, InterruptedException {
        String project;
        try (var cfn = CloudFormationClient.builder().region(region).build()) {
            project = cfn.listStackResourcesPaginator(r -> r.stackName(stack)).stackResourceSummaries().stream()
                    .filter(r -> r.resourceType().equals("AWS::CodeBuild::Project")
                            && r.logicalResourceId().contains("ScannerMirror"))
                    .map(StackResourceSummary::physicalResourceId).findFirst()
                    .orElseThrow(() -> new Stop("stack " + stack + " has no ScannerMirror project"));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try (var codeBuild = CodeBuildClient.builder().region(region).build()) {
            while (true) {
                List<String> ids = codeBuild.listBuildsForProject(r -> r.projectName(project)).ids();
                if (!ids.isEmpty()) {
                    Build build = codeBuild.batchGetBuilds(r -> r.ids(ids.get(0))).builds().get(0);
                    switch (build.buildStatusAsString()) {
                        case "SUCCEEDED" -> {
                            return;
                        }
                        case "IN_PROGRESS" -> { }
                        default -> throw new Stop("the scanner mirror's build " + build.id() + " ended "
                                + build.buildStatusAsString() + ": see its log in CodeBuild (docs/aws.md, Scanner)");
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new Stop("the scanner mirror's first build did not end within " + timeout.toMinutes() + " minutes");
                }
                progress.println("perfbox aws verify: waiting for the scanner mirror's first build ...");
                Thread.sleep(30_000);
            }
        }
    }

    /**
     * A tenant key as KeysTool makes it: the perfbox key in the stack's ApiKeys table and the tenant's own API Gateway
     * key in the stack's usage plan (the authorizer answers it as usageIdentifierKey, so clients send no x-api-key).
     */
    ApiKeys.CreatedKey createKey(String table, String usagePlanId, String tenant) {
        try (var dynamoDb = DynamoDbClient.builder().region(region).build();
             SdkHttpClient http = UrlConnectionHttpClient.create()) {
            DynamoDbApiKeyStore store = new DynamoDbApiKeyStore(dynamoDb, table);
            ApiKeys.CreatedKey created = new ApiKeys(store, Clock.systemUTC()).create(tenant);
            usageKeys(http, store, usagePlanId).ensure(created.tenant());
            return created;
        }
    }

    /** Revokes the perfbox key and deletes the tenant's usage-plan key. */
    void revokeKey(String table, String usagePlanId, ApiKeys.CreatedKey key) {
        try (var dynamoDb = DynamoDbClient.builder().region(region).build();
             SdkHttpClient http = UrlConnectionHttpClient.create()) {
            DynamoDbApiKeyStore store = new DynamoDbApiKeyStore(dynamoDb, table);
            new ApiKeys(store, Clock.systemUTC()).revoke(key.id());
            usageKeys(http, store, usagePlanId).remove(key.tenant());
        }
    }

    private KeysTool.TenantUsageKeys usageKeys(SdkHttpClient http, DynamoDbApiKeyStore store, String usagePlanId) {
        return new KeysTool.TenantUsageKeys(new ApiGatewayUsagePlanKeys(http, ApiGatewayUsagePlanKeys.endpointOf(region),
                region, DefaultCredentialsProvider.builder().build(), usagePlanId), store);
    }
}
