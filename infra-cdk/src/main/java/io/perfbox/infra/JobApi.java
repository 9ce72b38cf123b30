package io.perfbox.infra;

import io.perfbox.api.ApiOperation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.apigateway.AccessLogFormat;
import software.amazon.awscdk.services.apigateway.ApiKeySourceType;
import software.amazon.awscdk.services.apigateway.AuthorizationType;
import software.amazon.awscdk.services.apigateway.EndpointType;
import software.amazon.awscdk.services.apigateway.GatewayResponseOptions;
import software.amazon.awscdk.services.apigateway.IResource;
import software.amazon.awscdk.services.apigateway.LambdaIntegration;
import software.amazon.awscdk.services.apigateway.LogGroupLogDestination;
import software.amazon.awscdk.services.apigateway.MethodLoggingLevel;
import software.amazon.awscdk.services.apigateway.MethodOptions;
import software.amazon.awscdk.services.apigateway.Period;
import software.amazon.awscdk.services.apigateway.QuotaSettings;
import software.amazon.awscdk.services.apigateway.ResponseType;
import software.amazon.awscdk.services.apigateway.RestApi;
import software.amazon.awscdk.services.apigateway.StageOptions;
import software.amazon.awscdk.services.apigateway.ThrottleSettings;
import software.amazon.awscdk.services.apigateway.TokenAuthorizer;
import software.amazon.awscdk.services.apigateway.UsagePlan;
import software.amazon.awscdk.services.apigateway.UsagePlanPerApiStage;
import software.amazon.awscdk.services.apigateway.UsagePlanProps;
import software.amazon.awscdk.services.dynamodb.Attribute;
import software.amazon.awscdk.services.dynamodb.AttributeType;
import software.amazon.awscdk.services.dynamodb.BillingMode;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.dynamodb.PointInTimeRecoverySpecification;
import software.amazon.awscdk.services.dynamodb.Table;
import software.amazon.awscdk.services.dynamodb.TableEncryption;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.SnapStartConf;
import software.amazon.awscdk.services.logs.ILogGroup;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.s3.IBucket;
import software.amazon.awscdk.services.stepfunctions.IStateMachine;
import software.constructs.Construct;

/**
 * The public REST API: one Lambda per route of {@link ApiOperation} (API Gateway proxy integration, through a
 * SnapStart-published alias), each running {@link #HANDLER_CLASS} with the grants of its route alone.
 * Every method is behind the Lambda TOKEN authorizer ({@code io.perfbox.runtime.aws.auth.TenantAuthorizer}), which
 * checks the caller's perfbox key ({@code Authorization: Bearer pbk_...}) against the hashed keys in their own
 * table and hands the tenant to the handlers in the request context, with the tenant's own API Gateway key of the
 * usage plan as usageIdentifierKey (key source AUTHORIZER): a throttle and daily quota per tenant, never its identity.
 */
public final class JobApi extends Construct {
    static final String API_PACKAGE = "io.perfbox.runtime.aws.api.";
    static final String ALIAS = "live";
    /** The variable naming a function's operation (the runtime's {@code AwsSettings.API_OPERATION}). */
    static final String API_OPERATION = "PERFBOX_API_OPERATION";
    static final String AUTHORIZER_CLASS = "io.perfbox.runtime.aws.auth.TenantAuthorizer";
    /**
     * How long API Gateway reuses an authorizer answer per token: a revoked key is refused within it. Short, so that
     * a revoke counts within a minute, and long enough that a busy client does not call the authorizer per request.
     */
    static final int AUTHORIZER_TTL_SECONDS = 60;

    /** The one handler class of the API's functions; each finds its operation by the event's route. */
    static final String HANDLER_CLASS = API_PACKAGE + "ApiHandler";

    /**
     * What the function of each operation may touch. The routes themselves are the API module's table
     * ({@code io.perfbox.api.ApiOperation}, documented in its openapi.json); a new operation fails to compile here
     * until it is given its grants.
     */
    static Access access(ApiOperation operation) {
        return switch (operation) {
            case SUBMIT_JOB -> Access.SUBMIT;
            case LIST_JOBS -> Access.LIST;
            case GET_JOB -> Access.READ;
            case DELETE_JOB -> Access.DELETE;
            case CANCEL_JOB -> Access.CANCEL;
            case GET_JOB_LOGS, GET_JOB_SCAN -> Access.READ_ARTIFACTS;
            case GET_JOB_DOCKERFILE -> Access.READ_DOCKERFILE;
            // The leaderboard pages through the owner's jobs, as a listing does.
            case GET_LEADERBOARD, GET_LEADERBOARD_HISTORY -> Access.LIST;
            case GET_OPENAPI -> Access.NONE;
        };
    }

    /**
     * The logical id of an operation's function: the ids the functions had when each had a class of its own
     * ({@code SubmitJobFunction} was {@code SubmitJob}, {@code GetOpenApiFunction} {@code OpenApi}), kept, so a
     * deployed stack updates its functions in place instead of replacing them.
     */
    static String functionId(ApiOperation operation) {
        if (operation == ApiOperation.GET_OPENAPI) {
            return "OpenApi";
        }
        String id = operation.operationId();
        return Character.toUpperCase(id.charAt(0)) + id.substring(1);
    }

    enum Access { SUBMIT, LIST, READ, DELETE, CANCEL, READ_ARTIFACTS, READ_DOCKERFILE, NONE }

    private final RestApi api;
    private final UsagePlan usagePlan;
    private final Table apiKeys;
    private final Function authorizerFunction;
    private final TokenAuthorizer authorizer;
    private final Map<ApiOperation, Function> functions = new LinkedHashMap<>();

    public JobApi(Construct scope, String id, StackConfig config, Code jar, ITable jobs, IBucket artifacts,
                  IStateMachine workflow, RetentionDays logRetention, ILogGroup buildLogs, ILogGroup taskLogs) {
        super(scope, id);
        LogGroup accessLogs = LogGroup.Builder.create(this, "AccessLogs")
                .retention(logRetention)
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        api = RestApi.Builder.create(this, "Api")
                .restApiName(Stack.of(this).getStackName() + "-jobs")
                .description("perfbox: submit a Dockerfile, follow the job, read its performance")
                .endpointTypes(List.of(EndpointType.REGIONAL))
                // A Dockerfile sent as application/octet-stream reaches the handler base64-encoded, byte for byte.
                .binaryMediaTypes(List.of("application/octet-stream"))
                // Execution logs (errors) need the account's API Gateway CloudWatch role; removed with the stack.
                .cloudWatchRole(true)
                .cloudWatchRoleRemovalPolicy(RemovalPolicy.DESTROY)
                .deployOptions(StageOptions.builder()
                        .stageName("v1")
                        .accessLogDestination(new LogGroupLogDestination(accessLogs))
                        .accessLogFormat(AccessLogFormat.jsonWithStandardFields())
                        .tracingEnabled(true)
                        .loggingLevel(MethodLoggingLevel.ERROR)
                        .dataTraceEnabled(false)
                        .metricsEnabled(true)
                        .throttlingRateLimit(config.apiRateLimit() * 10)
                        .throttlingBurstLimit(config.apiBurstLimit() * 10)
                        .build())
                .defaultMethodOptions(MethodOptions.builder().apiKeyRequired(true).build())
                // The usage plan's key of each request is its tenant's own, which the authorizer answers as
                // usageIdentifierKey (KeysTool create makes one per tenant): a quota and throttle per tenant, and no
                // shared key for clients to send.
                .apiKeySourceType(ApiKeySourceType.AUTHORIZER)
                .build();

        // The keys in a table of their own, not as items of the jobs table: the authorizer is granted GetItem on
        // keys and nothing on jobs, and no API function can read a key's hash.
        apiKeys = Table.Builder.create(this, "ApiKeys")
                .partitionKey(Attribute.builder().name("pk").type(AttributeType.STRING).build())
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .pointInTimeRecoverySpecification(PointInTimeRecoverySpecification.builder()
                        .pointInTimeRecoveryEnabled(true).build())
                .encryption(TableEncryption.AWS_MANAGED)
                // cdk destroy must leave nothing billable behind.
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        authorizerFunction = JavaLambda.builder(this, "Authorizer", AUTHORIZER_CLASS, jar,
                        Map.of("PERFBOX_API_KEYS_TABLE", apiKeys.getTableName()), logRetention)
                .description("perfbox API: the tenant of a perfbox key (Lambda authorizer)")
                .build();
        // Least privilege: the authorizer only reads keys (ApiKeys.tenantOf is one consistent GetItem).
        authorizerFunction.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("dynamodb:GetItem")).resources(List.of(apiKeys.getTableArn())).build());
        authorizer = TokenAuthorizer.Builder.create(this, "TenantAuthorizer")
                .handler(authorizerFunction)
                .identitySource("method.request.header.Authorization")
                .resultsCacheTtl(Duration.seconds(AUTHORIZER_TTL_SECONDS))
                .build();

        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("PERFBOX_JOBS_TABLE", jobs.getTableName());
        environment.put("PERFBOX_ARTIFACT_BUCKET", artifacts.getBucketName());
        environment.put("PERFBOX_STATE_MACHINE_ARN", workflow.getStateMachineArn());
        // A finished job's item expires this long after its end (the table's TTL), as local --retain-days.
        environment.put("PERFBOX_RETAIN_DAYS", Integer.toString(config.artifactRetentionDays()));
        // The logs route reads a job's output from these while its steps run.
        environment.put("PERFBOX_BUILD_LOG_GROUP", buildLogs.getLogGroupName());
        environment.put("PERFBOX_TASK_LOG_GROUP", taskLogs.getLogGroupName());
        // The tenants' quotas, which the submit function checks (AwsSettings.Api).
        environment.put("PERFBOX_MAX_ACTIVE_JOBS", StackConfig.quotaVariable(config.maxActiveJobsPerTenant()));
        environment.put("PERFBOX_MAX_SUBMISSIONS_PER_DAY", StackConfig.quotaVariable(config.maxSubmissionsPerDay()));
        for (ApiOperation route : ApiOperation.values()) {
            // One function per operation, all running the one handler class: each names its operation, so it builds
            // only what that operation uses and answers no other route, and each has that operation's grants alone.
            Map<String, String> functionEnvironment = new LinkedHashMap<>(environment);
            functionEnvironment.put(API_OPERATION, route.name());
            Function function = JavaLambda.builder(this, functionId(route), HANDLER_CLASS, jar, functionEnvironment,
                            logRetention)
                    .description("perfbox API: " + route.method() + " " + route.resource())
                    // Snapshots of the initialised JVM (SDK clients built) make cold starts short.
                    .snapStart(SnapStartConf.ON_PUBLISHED_VERSIONS)
                    .build();
            grant(function, access(route), jobs, artifacts, workflow);
            if (access(route) == Access.SUBMIT && config.tenantQuotas()) {
                // A quota counts the tenant's usage: one Select COUNT query of its partition of the byUsage index
                // (DynamoDbJobStore's TenantUsage), nothing else of the table. Without quotas, no grant.
                function.addToRolePolicy(PolicyStatement.Builder.create()
                        .actions(List.of("dynamodb:Query"))
                        .resources(List.of(jobs.getTableArn() + "/index/" + JobStoreTable.BY_USAGE)).build());
            }
            if (route == ApiOperation.GET_JOB_LOGS) {
                // Live output: the job's build and task streams, found in its execution's history.
                function.addToRolePolicy(PolicyStatement.Builder.create()
                        .actions(List.of("logs:GetLogEvents"))
                        .resources(List.of(streamsOf(buildLogs), streamsOf(taskLogs))).build());
                workflow.grantExecution(function, "states:GetExecutionHistory");
            }
            // SnapStart applies to published versions: API Gateway calls the alias of the current one.
            Alias live = function.addAlias(ALIAS);
            // AWS_PROXY: the function gets API Gateway's REST proxy event, its resource and httpMethod the route.
            resource(route.resource()).addMethod(route.method(), new LambdaIntegration(live),
                    MethodOptions.builder().apiKeyRequired(true)
                            .authorizationType(AuthorizationType.CUSTOM).authorizer(authorizer).build());
            functions.put(route, function);
        }

        usagePlan = api.addUsagePlan("UsagePlan", UsagePlanProps.builder()
                .description("perfbox: per-tenant throttle and daily quota (one API key per tenant, made by KeysTool)")
                .throttle(ThrottleSettings.builder()
                        .rateLimit(config.apiRateLimit()).burstLimit(config.apiBurstLimit()).build())
                .quota(QuotaSettings.builder().limit(config.apiQuotaPerDay()).period(Period.DAY).build())
                .apiStages(List.of(UsagePlanPerApiStage.builder().api(api).stage(api.getDeploymentStage()).build()))
                .build());
        problemGatewayResponses();
    }

    /**
     * API Gateway's own answers (no or a wrong API key, throttling and quota, a body too large, its 5xx) in the
     * API's one error format, RFC 9457 problem+json, as every answer of the functions is.
     */
    private void problemGatewayResponses() {
        Map<String, ResponseType> responses = new LinkedHashMap<>();
        responses.put("Default4xx", ResponseType.DEFAULT_4_XX);
        responses.put("Default5xx", ResponseType.DEFAULT_5_XX);
        responses.forEach((id, type) -> api.addGatewayResponse(id, GatewayResponseOptions.builder()
                .type(type)
                .responseHeaders(Map.of("Content-Type", "'" + PROBLEM_JSON + "'", "Cache-Control", "'no-store'"))
                .templates(Map.of(PROBLEM_JSON, GATEWAY_PROBLEM, "application/json", GATEWAY_PROBLEM))
                .build()));
    }

    static final String PROBLEM_JSON = "application/problem+json";
    /**
     * The problem API Gateway answers with: its error type as the problem's slug and title, its message as the
     * detail ({@code messageString} is the message as a quoted JSON string), the path. The status is the answer's own
     * (DEFAULT_4XX and DEFAULT_5XX each stand for several), so the body leaves it out, as RFC 9457 allows.
     */
    static final String GATEWAY_PROBLEM = "{\"type\":\"urn:perfbox:problem:gateway-$context.error.responseType\","
            + "\"title\":\"$context.error.responseType\",\"detail\":$context.error.messageString,"
            + "\"instance\":\"$context.path\"}";

    private IResource resource(String path) {
        IResource resource = api.getRoot();
        for (String part : path.substring(1).split("/")) {
            IResource child = resource.getResource(part);
            resource = child != null ? child : resource.addResource(part);
        }
        return resource;
    }

    /** Least privilege per route: the table items, the job objects and the workflow calls that route makes. */
    private static void grant(Function function, Access access, ITable jobs, IBucket artifacts,
                              IStateMachine workflow) {
        List<String> tableActions = new ArrayList<>(List.of("dynamodb:GetItem"));
        List<String> tableResources = new ArrayList<>(List.of(jobs.getTableArn()));
        switch (access) {
            case NONE -> {
                return;
            }
            // A listing (and the leaderboard) only queries the owner index: no item of the table is read by key.
            case LIST -> {
                tableActions = List.of("dynamodb:Query");
                tableResources = List.of(jobs.getTableArn() + "/index/" + JobStoreTable.BY_OWNER);
            }
            // The job and its idempotency record in one transaction of two conditional puts; a record whose job
            // was deleted is deleted to free its key (DynamoDbJobStore.create). No update, no condition check.
            case SUBMIT -> tableActions.addAll(List.of("dynamodb:PutItem", "dynamodb:DeleteItem"));
            case DELETE -> tableActions.add("dynamodb:DeleteItem");
            // Cancel is a conditional write of the job (DynamoDbJobStore.update: a conditional PutItem).
            case CANCEL -> tableActions.add("dynamodb:PutItem");
            default -> { }
        }
        function.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(tableActions).resources(tableResources).build());

        // Listing the bucket lets a missing object read as "not found" rather than "access denied", and lets a
        // delete list the job's objects. Submit reads no object.
        if (access == Access.DELETE || access == Access.READ_ARTIFACTS || access == Access.READ_DOCKERFILE) {
            function.addToRolePolicy(PolicyStatement.Builder.create()
                    .actions(List.of("s3:ListBucket")).resources(List.of(artifacts.getBucketArn())).build());
        }
        switch (access) {
            case SUBMIT -> {
                function.addToRolePolicy(PolicyStatement.Builder.create()
                        .actions(List.of("s3:PutObject", "s3:DeleteObject"))
                        .resources(List.of(artifacts.arnForObjects("jobs/*/Dockerfile"))).build());
                workflow.grantStartExecution(function);
            }
            case DELETE -> {
                function.addToRolePolicy(PolicyStatement.Builder.create()
                        .actions(List.of("s3:DeleteObject"))
                        .resources(List.of(artifacts.arnForObjects("jobs/*"))).build());
            }
            // Only a job under way is cancelled: its execution is stopped (the launcher's StopExecution).
            case CANCEL -> workflow.grantExecution(function, "states:StopExecution");
            case READ_ARTIFACTS -> function.addToRolePolicy(PolicyStatement.Builder.create()
                    .actions(List.of("s3:GetObject"))
                    .resources(List.of(artifacts.arnForObjects("jobs/*/artifacts/*"))).build());
            case READ_DOCKERFILE -> function.addToRolePolicy(PolicyStatement.Builder.create()
                    .actions(List.of("s3:GetObject"))
                    .resources(List.of(artifacts.arnForObjects("jobs/*/Dockerfile"))).build());
            default -> { }
        }
    }

    /** Every stream of a log group (the group's own ARN attribute ends in ":*" and matches no stream). */
    private String streamsOf(ILogGroup group) {
        return Stack.of(this).formatArn(ArnComponents.builder()
                .service("logs").resource("log-group").arnFormat(ArnFormat.COLON_RESOURCE_NAME)
                .resourceName(group.getLogGroupName() + ":log-stream:*").build());
    }

    public RestApi api() {
        return api;
    }

    public Table apiKeys() {
        return apiKeys;
    }

    public Function authorizerFunction() {
        return authorizerFunction;
    }

    public UsagePlan usagePlan() {
        return usagePlan;
    }

    public Map<ApiOperation, Function> functions() {
        return functions;
    }
}
