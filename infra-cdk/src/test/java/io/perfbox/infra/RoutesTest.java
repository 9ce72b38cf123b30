package io.perfbox.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perfbox.api.ApiOperation;
import io.perfbox.api.OpenApiDocument;
import io.perfbox.runtime.aws.AwsSettings;
import io.perfbox.runtime.aws.api.ApiHandler;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The API Gateway methods the stack synthesizes are the API module's routes: its route table and its openapi.json. */
class RoutesTest {

    /** Every method of the template as "METHOD /path", its path read back from the resources' PathParts. */
    private static Set<String> synthesizedRoutes() {
        JsonNode resources = TemplateQueries.template().get("Resources");
        Set<String> routes = new HashSet<>();
        resources.properties().forEach(r -> {
            if (r.getValue().path("Type").asText().equals("AWS::ApiGateway::Method")) {
                routes.add(r.getValue().at("/Properties/HttpMethod").asText() + " "
                        + path(resources, r.getValue().at("/Properties/ResourceId")));
            }
        });
        return routes;
    }

    private static String path(JsonNode resources, JsonNode resourceId) {
        JsonNode ref = resourceId.path("Ref");
        if (ref.isMissingNode()) {
            return "";
        }
        JsonNode resource = resources.get(ref.asText());
        return path(resources, resource.at("/Properties/ParentId")) + "/" + resource.at("/Properties/PathPart").asText();
    }

    @Test
    void theStackServesExactlyTheRoutesOfTheApiModule() {
        Set<String> stack = synthesizedRoutes();
        Set<String> api = Arrays.stream(ApiOperation.values()).map(o -> o.method() + " " + o.resource())
                .collect(Collectors.toSet());
        assertThat(stack).isEqualTo(api);
    }

    @Test
    void theStackServesExactlyThePathsOpenApiDocuments() throws Exception {
        JsonNode paths = new ObjectMapper().readTree(OpenApiDocument.json()).get("paths");
        Set<String> documented = new HashSet<>();
        paths.properties().forEach(path -> path.getValue().fieldNames().forEachRemaining(method -> {
            if (!method.equals("parameters")) {
                documented.add(method.toUpperCase() + " " + path.getKey());
            }
        }));
        assertThat(synthesizedRoutes()).isEqualTo(documented);
    }

    @Test
    void theHandlerClassAndItsVariableAreTheAwsRuntimes() {
        assertThat(JobApi.HANDLER_CLASS).isEqualTo(ApiHandler.class.getName());
        assertThat(JobApi.API_OPERATION).isEqualTo(AwsSettings.API_OPERATION);
    }

    @Test
    void theFunctionsKeepTheLogicalIdsTheyHadWithAClassEach() {
        // Renamed ids would replace the deployed functions (and their aliases and versions) instead of updating them.
        assertThat(Arrays.stream(ApiOperation.values()).map(JobApi::functionId)).containsExactly("SubmitJob",
                "ListJobs", "GetJob", "DeleteJob", "CancelJob", "GetJobLogs", "GetJobScan", "GetJobDockerfile",
                "GetLeaderboard", "GetLeaderboardHistory", "OpenApi");
    }
}
