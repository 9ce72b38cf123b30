package io.perfbox.core.domain;

import java.util.List;
import java.util.Objects;

/**
 * What the scanner found in an image, before any policy is applied: its vulnerabilities (findings) and the
 * Dockerfile checks the Dockerfile fails (misconfigurations; empty in a report from before perfbox ran them).
 * dbUpdatedAt/dbDownloadedAt: when the scanner's vulnerability database was built and fetched, as the scanner says
 * (null when it does not). gate: the thresholds the job was judged by, recorded with the report by the scan gate
 * (null for a report not yet judged, or from before perfbox recorded them).
 */
public record ScanReport(String scanner, String scannerVersion, List<Finding> findings, String dbUpdatedAt,
                         String dbDownloadedAt, List<Misconfiguration> misconfigurations, Gate gate) {
    public ScanReport {
        findings = List.copyOf(findings);
        misconfigurations = misconfigurations == null ? List.of() : List.copyOf(misconfigurations);
    }

    public ScanReport(String scanner, String scannerVersion, List<Finding> findings, String dbUpdatedAt,
                      String dbDownloadedAt) {
        this(scanner, scannerVersion, findings, dbUpdatedAt, dbDownloadedAt, List.of(), null);
    }

    public ScanReport(String scanner, String scannerVersion, List<Finding> findings) {
        this(scanner, scannerVersion, findings, null, null);
    }

    /**
     * The thresholds a report was judged by. misconfigurations: a misconfiguration at or above it blocks the image
     * (null: none blocks; they are warnings).
     */
    public record Gate(Severity vulnerabilities, boolean ignoreUnfixed, Severity misconfigurations) {
        public Gate {
            Objects.requireNonNull(vulnerabilities, "vulnerabilities");
        }
    }

    /** The report with the scanner database's times. */
    public ScanReport withDatabase(String updatedAt, String downloadedAt) {
        return new ScanReport(scanner, scannerVersion, findings, updatedAt, downloadedAt, misconfigurations, gate);
    }

    /** The report with the Dockerfile checks the Dockerfile fails. */
    public ScanReport withMisconfigurations(List<Misconfiguration> found) {
        return new ScanReport(scanner, scannerVersion, findings, dbUpdatedAt, dbDownloadedAt, found, gate);
    }

    /** The report with the thresholds it was judged by. */
    public ScanReport judgedBy(Gate judged) {
        return new ScanReport(scanner, scannerVersion, findings, dbUpdatedAt, dbDownloadedAt, misconfigurations, judged);
    }

    /** The receipt's part this scan reports. */
    public RunReceipt receipt() {
        return RunReceipt.scanned(new RunReceipt.Scanner(scanner, scannerVersion, dbUpdatedAt, dbDownloadedAt));
    }
}
