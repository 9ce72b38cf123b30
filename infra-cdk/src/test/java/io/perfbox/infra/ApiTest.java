package io.perfbox.infra;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.api.ApiOperation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** The REST API: one SnapStart Lambda per route (all running the one handler class), API keys everywhere, a usage plan, logs and traces. */
class ApiTest {
    private final Template template = SynthesizedStack.TEMPLATE;

    @Test
    void everyMethodRequiresAnApiKeyAndThereIsOneMethodPerRoute() {
        template.resourceCountIs("AWS::ApiGateway::Method", ApiOperation.values().length);
        template.allResourcesProperties("AWS::ApiGateway::Method", Map.of("ApiKeyRequired", true));
        for (ApiOperation route : ApiOperation.values()) {
            template.hasResourceProperties("AWS::ApiGateway::Method", Map.of(
                    "HttpMethod", route.method(), "ApiKeyRequired", true,
                    "Integration", Match.objectLike(Map.of("Type", "AWS_PROXY"))));
        }
        for (String part : List.of("jobs", "{id}", "logs", "scan", "openapi.json")) {
            template.hasResourceProperties("AWS::ApiGateway::Resource", Map.of("PathPart", part));
        }
    }

    @Test
    void usagePlanThrottlesAndCapsEachTenantsKey() {
        template.hasResourceProperties("AWS::ApiGateway::UsagePlan", Map.of(
                "Throttle", Map.of("RateLimit", 10, "BurstLimit", 20),
                "Quota", Map.of("Limit", 10_000, "Period", "DAY"),
                "ApiStages", List.of(Match.objectLike(Map.of("Stage", Match.anyValue())))));
        // No key in the stack: each tenant's own is added to the plan by KeysTool create (AuthorizerTest).
        template.resourceCountIs("AWS::ApiGateway::ApiKey", 0);
        template.resourceCountIs("AWS::ApiGateway::UsagePlanKey", 0);
    }

    @Test
    void stageWritesJsonAccessLogsAndTraces() {
        template.hasResourceProperties("AWS::ApiGateway::Stage", Map.of(
                "StageName", "v1",
                "TracingEnabled", true,
                "AccessLogSetting", Map.of("DestinationArn", Match.anyValue(),
                        "Format", Match.stringLikeRegexp(".*requestId.*")),
                "MethodSettings", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "LoggingLevel", "ERROR", "DataTraceEnabled", false))))));
    }

    @Test
    void eachRouteHasItsJava21FunctionWithSnapStartJsonLogsAndTracing() {
        for (ApiOperation route : ApiOperation.values()) {
            template.hasResourceProperties("AWS::Lambda::Function", Map.of(
                    "Handler", JobApi.HANDLER_CLASS + "::handleRequest",
                    "Runtime", "java21",
                    "SnapStart", Map.of("ApplyOn", "PublishedVersions"),
                    "TracingConfig", Map.of("Mode", "Active"),
                    "LoggingConfig", Match.objectLike(Map.of("LogFormat", "JSON")),
                    "MemorySize", 1024,
                    "Environment", Map.of("Variables", Map.of(
                            "PERFBOX_JOBS_TABLE", Map.of("Ref", Match.stringLikeRegexp("JobStoreTable.*")),
                            "PERFBOX_ARTIFACT_BUCKET", Map.of("Ref", Match.stringLikeRegexp("ArtifactsBucket.*")),
                            "PERFBOX_STATE_MACHINE_ARN",
                            Map.of("Ref", Match.stringLikeRegexp("JobWorkflowStateMachine.*")),
                            JobApi.API_OPERATION, route.name()))));
        }
    }

    @Test
    void apiGatewayInvokesThePublishedAliasNotTheUnpublishedFunction() {
        template.resourceCountIs("AWS::Lambda::Alias", ApiOperation.values().length);
        template.allResourcesProperties("AWS::Lambda::Alias", Map.of("Name", "live",
                "FunctionVersion", Map.of("Fn::GetAtt", List.of(Match.anyValue(), "Version"))));
        template.allResourcesProperties("AWS::ApiGateway::Method", Map.of("Integration", Match.objectLike(Map.of(
                "Uri", Map.of("Fn::Join", List.of("", Match.arrayWith(List.of(
                        Map.of("Ref", Match.stringLikeRegexp("JobApi.*Aliaslive.*"))))))))));
    }

    /**
     * The API's functions run from the API jar, the workflow's from the workflow jar: the synth stages each jar in
     * the assembly once, as {@code asset.<hash>.jar}, and a function's S3 key names the asset it runs.
     */
    @Test
    void eachFunctionRunsFromItsOwnDeploymentJar() throws Exception {
        Map<String, String> assetByHandler = new HashMap<>();
        List<String> apiFunctionAssets = new ArrayList<>();
        for (var function : TemplateQueries.resources("AWS::Lambda::Function")) {
            String handler = function.at("/Properties/Handler").asText();
            String asset = function.at("/Properties/Code/S3Key").asText();
            if (handler.equals(JobApi.HANDLER_CLASS + JavaLambda.METHOD)) {
                apiFunctionAssets.add(asset);
            } else if (handler.startsWith("io.perfbox.")) {
                assetByHandler.put(handler.replace(JavaLambda.METHOD, ""), asset);
            }
        }
        List<String> workflowHandlers = Arrays.stream(WorkflowFunctions.State.values())
                .map(WorkflowFunctions.State::handlerClass).toList();
        assertThat(apiFunctionAssets).as("one function per route").hasSize(ApiOperation.values().length);
        assertThat(assetByHandler).hasSize(1 + workflowHandlers.size());
        // The authorizer runs from the API jar too.
        assertThat(assetByHandler.get(JobApi.AUTHORIZER_CLASS)).isEqualTo(apiFunctionAssets.get(0));

        Set<String> apiAssets = Set.copyOf(apiFunctionAssets);
        Set<String> workflowAssets = workflowHandlers.stream().map(assetByHandler::get).collect(Collectors.toSet());
        assertThat(apiAssets).singleElement().asString().endsWith(".jar");
        assertThat(workflowAssets).singleElement().asString().endsWith(".jar");
        assertThat(apiAssets).doesNotContainAnyElementsOf(workflowAssets);

        assertThat(staged(apiAssets.iterator().next())).hasSameBinaryContentAs(SynthesizedStack.apiJar());
        assertThat(staged(workflowAssets.iterator().next())).hasSameBinaryContentAs(SynthesizedStack.workflowJar());
    }

    @Test
    void theApiHandlerIsAClassOfTheApiJar() throws Exception {
        try (ZipFile jar = new ZipFile(SynthesizedStack.apiJar().toFile())) {
            assertThat(jar.getEntry(JobApi.HANDLER_CLASS.replace('.', '/') + ".class")).as(JobApi.HANDLER_CLASS).isNotNull();
        }
    }

    private static Path staged(String s3Key) {
        return SynthesizedStack.ASSEMBLY.resolve("asset." + s3Key);
    }

    @Test
    void apiGatewaysOwnErrorsAreProblemJsonToo() throws Exception {
        for (String type : List.of("DEFAULT_4XX", "DEFAULT_5XX")) {
            template.hasResourceProperties("AWS::ApiGateway::GatewayResponse", Map.of(
                    "ResponseType", type,
                    "ResponseParameters", Map.of(
                            "gatewayresponse.header.Content-Type", "'application/problem+json'",
                            "gatewayresponse.header.Cache-Control", "'no-store'"),
                    "ResponseTemplates", Map.of("application/problem+json", JobApi.GATEWAY_PROBLEM,
                            "application/json", JobApi.GATEWAY_PROBLEM)));
        }
        // With API Gateway's variables filled in as it renders them (messageString is a quoted string), the body is
        // a problem: JSON with type, title, detail and instance.
        String rendered = JobApi.GATEWAY_PROBLEM.replace("$context.error.responseType", "API_KEY_INVALID")
                .replace("$context.error.messageString", "\"Forbidden\"").replace("$context.path", "/v1/jobs");
        var problem = TemplateQueries.JSON.readTree(rendered);
        assertThat(problem.get("type").asText()).isEqualTo("urn:perfbox:problem:gateway-API_KEY_INVALID");
        assertThat(problem.get("detail").asText()).isEqualTo("Forbidden");
        assertThat(problem.get("instance").asText()).isEqualTo("/v1/jobs");
    }
}
