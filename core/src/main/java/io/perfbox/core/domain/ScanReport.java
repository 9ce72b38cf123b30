package io.perfbox.core.domain;

import java.util.List;

/**
 * What the scanner found in an image, before any policy is applied. dbUpdatedAt/dbDownloadedAt: when the scanner's
 * vulnerability database was built and fetched, as the scanner says (null when it does not).
 */
public record ScanReport(String scanner, String scannerVersion, List<Finding> findings, String dbUpdatedAt,
                         String dbDownloadedAt) {
    public ScanReport {
        findings = List.copyOf(findings);
    }

    public ScanReport(String scanner, String scannerVersion, List<Finding> findings) {
        this(scanner, scannerVersion, findings, null, null);
    }

    /** The report with the scanner database's times. */
    public ScanReport withDatabase(String updatedAt, String downloadedAt) {
        return new ScanReport(scanner, scannerVersion, findings, updatedAt, downloadedAt);
    }

    /** The receipt's part this scan reports. */
    public RunReceipt receipt() {
        return RunReceipt.scanned(new RunReceipt.Scanner(scanner, scannerVersion, dbUpdatedAt, dbDownloadedAt));
    }
}
