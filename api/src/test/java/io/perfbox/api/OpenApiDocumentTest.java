package io.perfbox.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.port.PagePosition;
import java.io.ByteArrayOutputStream;
import java.util.Base64;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class OpenApiDocumentTest {

    @Test
    void documentsExactlyTheRoutesTheServerHas() throws Exception {
        JsonNode doc = ApiJson.MAPPER.readTree(OpenApiDocument.json());
        Set<String> documented = new HashSet<>();
        Iterator<String> paths = doc.get("paths").fieldNames();
        while (paths.hasNext()) {
            String path = paths.next();
            doc.get("paths").get(path).fieldNames().forEachRemaining(method -> {
                if (!method.equals("parameters")) {
                    documented.add(method.toUpperCase() + " " + path);
                }
            });
        }
        Set<String> served = new HashSet<>();
        for (ApiOperation op : ApiOperation.values()) {
            served.add(op.method() + " " + op.resource());
        }
        assertThat(documented).isEqualTo(served);
    }

    @Test
    void givesEachRouteTheOperationIdOfTheRouteTable() throws Exception {
        JsonNode paths = ApiJson.MAPPER.readTree(OpenApiDocument.json()).get("paths");
        for (ApiOperation op : ApiOperation.values()) {
            assertThat(paths.path(op.resource()).path(op.method().toLowerCase()).path("operationId").asText())
                    .as(op.name()).isEqualTo(op.operationId());
        }
    }

    @Test
    void everyFailureCodeAndStatusOfTheDomainIsDocumented() throws Exception {
        JsonNode schemas = ApiJson.MAPPER.readTree(OpenApiDocument.json()).get("components").get("schemas");
        Set<String> codes = new HashSet<>();
        schemas.get("FailureCode").get("enum").forEach(n -> codes.add(n.asText()));
        for (var code : FailureCode.values()) {
            assertThat(codes).contains(code.name());
        }
        Set<String> statuses = new HashSet<>();
        schemas.get("Status").get("enum").forEach(n -> statuses.add(n.asText()));
        for (var status : JobStatus.values()) {
            assertThat(statuses).contains(status.name());
        }
    }

    @Test
    void listsAsFinishedExactlyTheStatusesTheDomainCallsTerminal() throws Exception {
        JsonNode status = ApiJson.MAPPER.readTree(OpenApiDocument.json()).get("components").get("schemas").get("Status");
        Set<String> finished = new HashSet<>();
        status.get("x-finished").forEach(n -> finished.add(n.asText()));
        Set<String> terminal = new HashSet<>();
        for (var s : JobStatus.TERMINAL) {
            terminal.add(s.name());
        }
        assertThat(finished).isEqualTo(terminal);
    }

    @Test
    void statesThePageTokensFormAsThePatternTheStoresRead() throws Exception {
        JsonNode doc = ApiJson.MAPPER.readTree(OpenApiDocument.json());
        Set<String> patterns = new HashSet<>();
        doc.get("paths").get("/jobs").get("get").get("parameters").forEach(p -> {
            if (p.path("name").asText().equals("nextToken")) {
                patterns.add(p.get("schema").get("pattern").asText());
            }
        });
        patterns.add(doc.get("components").get("schemas").get("JobList").get("properties").get("nextToken")
                .get("pattern").asText());
        assertThat(patterns).containsExactly(PagePosition.TOKEN_PATTERN);
    }

    @Test
    void describesEveryRawDockerfileBodyAsTheTextBodyAndTheGzipFieldFromTheShortestGzipStream() throws Exception {
        JsonNode doc = ApiJson.MAPPER.readTree(OpenApiDocument.json());
        JsonNode content = doc.get("paths").get("/jobs").get("post").get("requestBody").get("content");
        JsonNode text = content.get("text/plain").get("schema");
        JsonNode octets = content.get("application/octet-stream").get("schema");
        for (String keyword : List.of("type", "pattern", "minLength", "maxLength")) {
            assertThat(octets.get(keyword)).as(keyword).isEqualTo(text.get(keyword));
        }
        JsonNode gzipField = doc.get("components").get("schemas").get("SubmitRequest").get("properties")
                .get("dockerfileGzipBase64");
        ByteArrayOutputStream empty = new ByteArrayOutputStream();
        new GZIPOutputStream(empty).close();
        assertThat(gzipField.get("minLength").asInt())
                .isEqualTo(Base64.getEncoder().encodeToString(empty.toByteArray()).length());
        assertThat(gzipField.get("format").asText()).isEqualTo("dockerfile-gzip-base64");
    }

    @Test
    void everyOperationDocumentsItsErrorsAsProblems() throws Exception {
        JsonNode doc = ApiJson.MAPPER.readTree(OpenApiDocument.json());
        doc.get("paths").forEach(item -> item.properties().forEach(op -> {
            if (op.getKey().equals("parameters") || op.getValue().get("operationId").asText().equals("getOpenApi")) {
                return;
            }
            JsonNode responses = op.getValue().get("responses");
            assertThat(responses.has("400") || responses.has("404")).as(op.getValue().get("operationId").asText()).isTrue();
            assertThat(responses.get("500").get("$ref").asText()).isEqualTo("#/components/responses/Problem");
        }));
    }
}
