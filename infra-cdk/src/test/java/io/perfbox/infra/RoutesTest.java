package io.perfbox.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perfbox.api.ApiOperation;
import io.perfbox.api.OpenApiDocument;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The API Gateway resources are the API module's routes: its route table and its openapi.json. */
class RoutesTest {

    @Test
    void theStackServesExactlyTheRoutesOfTheApiModule() {
        Set<String> stack = Arrays.stream(JobApi.Route.values()).map(r -> r.method + " " + r.path).collect(Collectors.toSet());
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
        Set<String> stack = Arrays.stream(JobApi.Route.values()).map(r -> r.method + " " + r.path).collect(Collectors.toSet());
        assertThat(stack).isEqualTo(documented);
    }

    @Test
    void eachRouteNamesAFunctionClassOfTheAwsRuntime() {
        for (JobApi.Route route : JobApi.Route.values()) {
            String classFile = route.handlerClass.replace('.', '/') + ".class";
            assertThat(getClass().getClassLoader().getResource(classFile)).as(route.handlerClass).isNotNull();
        }
    }
}
