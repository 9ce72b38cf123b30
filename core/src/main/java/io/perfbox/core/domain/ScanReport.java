package io.perfbox.core.domain;

import java.util.List;

/** What the scanner found in an image, before any policy is applied. */
public record ScanReport(String scanner, String scannerVersion, List<Finding> findings) {
    public ScanReport {
        findings = List.copyOf(findings);
    }
}
