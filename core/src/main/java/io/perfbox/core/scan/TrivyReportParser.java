package io.perfbox.core.scan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perfbox.core.domain.Finding;
import io.perfbox.core.domain.ScanReport;
import io.perfbox.core.domain.Severity;
import io.perfbox.core.port.VulnerabilityScanner.ScanFailedException;
import java.util.ArrayList;
import java.util.List;

/** Reads {@code trivy image --format json} output: Results[].Vulnerabilities[] become findings. */
public final class TrivyReportParser {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TrivyReportParser() {
    }

    public static ScanReport parse(String json, String scannerVersion) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ScanFailedException("Trivy's report is not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject() || !(root.has("SchemaVersion") || root.has("Results") || root.has("ArtifactName"))) {
            throw new ScanFailedException("Trivy's output is not a Trivy JSON report");
        }
        List<Finding> findings = new ArrayList<>();
        for (JsonNode result : iterable(root.get("Results"))) {
            String target = text(result, "Target");
            for (JsonNode v : iterable(result.get("Vulnerabilities"))) {
                String id = text(v, "VulnerabilityID");
                if (id == null) {
                    continue;
                }
                findings.add(new Finding(id, text(v, "PkgName"), text(v, "InstalledVersion"), text(v, "FixedVersion"),
                        Severity.fromScanner(text(v, "Severity")), text(v, "Title"), target));
            }
        }
        return new ScanReport("trivy", scannerVersion, findings);
    }

    private static Iterable<JsonNode> iterable(JsonNode node) {
        return node == null || !node.isArray() ? List.of() : node;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
