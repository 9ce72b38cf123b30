package io.perfbox.adapter.trivy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perfbox.core.domain.Finding;
import io.perfbox.core.domain.ScanReport;
import io.perfbox.core.domain.Severity;
import io.perfbox.core.port.VulnerabilityScanner.ScanFailedException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@code trivy image --format json} output: Results[].Vulnerabilities[] become findings. The report is read
 * as a stream, one vulnerability at a time: a report of tens of MiB never becomes a tree of several times its size
 * in the server's heap.
 */
public final class TrivyReportParser {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFactory FACTORY = JSON.getFactory();

    private TrivyReportParser() {
    }

    public static ScanReport parse(String json, String scannerVersion) {
        return parse(json.getBytes(StandardCharsets.UTF_8), scannerVersion);
    }

    public static ScanReport parse(byte[] json, String scannerVersion) {
        try (JsonParser p = FACTORY.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw notAReport();
            }
            boolean report = false;
            List<Finding> findings = new ArrayList<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "SchemaVersion", "ArtifactName" -> {
                        report = true;
                        p.skipChildren();
                    }
                    case "Results" -> {
                        report = true;
                        if (value == JsonToken.START_ARRAY) {
                            readResults(p, findings);
                        } else {
                            p.skipChildren();
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            if (!report) {
                throw notAReport();
            }
            if (p.nextToken() != null) {
                throw new ScanFailedException("Trivy's report is not JSON: content after the report");
            }
            return new ScanReport("trivy", scannerVersion, findings);
        } catch (IOException e) {
            String why = e instanceof JsonProcessingException j ? j.getOriginalMessage()
                    : e.getMessage();
            throw new ScanFailedException("Trivy's report is not JSON: " + why);
        }
    }

    /** Each result's vulnerabilities, read one object at a time; the target may come before or after them. */
    private static void readResults(JsonParser p, List<Finding> findings) throws IOException {
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                p.skipChildren();
                continue;
            }
            String target = null;
            List<JsonNode> vulnerabilities = new ArrayList<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("Target")) {
                    target = value == JsonToken.VALUE_NULL ? null : p.getValueAsString();
                } else if (field.equals("Vulnerabilities") && value == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        vulnerabilities.add(JSON.readTree(p));
                    }
                    if (p.currentToken() != JsonToken.END_ARRAY) {
                        p.skipChildren();
                    }
                } else {
                    p.skipChildren();
                }
            }
            for (JsonNode v : vulnerabilities) {
                String id = text(v, "VulnerabilityID");
                if (id != null) {
                    findings.add(new Finding(id, text(v, "PkgName"), text(v, "InstalledVersion"), text(v, "FixedVersion"),
                            Severity.fromScanner(text(v, "Severity")), text(v, "Title"), target));
                }
            }
        }
    }

    private static ScanFailedException notAReport() {
        return new ScanFailedException("Trivy's output is not a Trivy JSON report");
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
