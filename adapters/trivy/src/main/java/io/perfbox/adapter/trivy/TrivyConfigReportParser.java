package io.perfbox.adapter.trivy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perfbox.core.domain.Misconfiguration;
import io.perfbox.core.domain.Severity;
import io.perfbox.core.port.VulnerabilityScanner.ScanFailedException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@code trivy config --format json} output: Results[].Misconfigurations[] whose Status is FAIL become
 * misconfigurations (a passed check, listed with --include-non-failures, is none). Such a report is small (one
 * Dockerfile of at most 64 KiB is scanned), so it is read as a tree.
 */
public final class TrivyConfigReportParser {
    /** Far more than a report on one Dockerfile takes; a larger one is not Trivy's. */
    public static final int MAX_BYTES = 4 * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private TrivyConfigReportParser() {
    }

    public static List<Misconfiguration> parse(byte[] json) {
        if (json.length > MAX_BYTES) {
            throw new ScanFailedException("Trivy's Dockerfile report is larger than " + MAX_BYTES + " bytes");
        }
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ScanFailedException("Trivy's Dockerfile report is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ScanFailedException("Trivy's Dockerfile report is not JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject() || !(root.has("SchemaVersion") || root.has("ArtifactName"))) {
            throw new ScanFailedException("Trivy's output is not a Trivy JSON report of the Dockerfile");
        }
        List<Misconfiguration> found = new ArrayList<>();
        for (JsonNode result : root.path("Results")) {
            for (JsonNode m : result.path("Misconfigurations")) {
                String id = text(m, "ID");
                String status = text(m, "Status");
                if (id == null || status != null && !status.equals("FAIL")) {
                    continue;
                }
                JsonNode cause = m.path("CauseMetadata");
                found.add(new Misconfiguration(id, text(m, "Title"), Severity.fromScanner(text(m, "Severity")),
                        text(m, "Message"), line(cause.path("StartLine")), line(cause.path("EndLine"))));
            }
        }
        return found;
    }

    private static Integer line(JsonNode n) {
        return n.canConvertToInt() && n.asInt() > 0 ? n.asInt() : null;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() || !v.isValueNode() ? null : v.asText();
    }
}
