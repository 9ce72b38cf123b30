package io.perfbox.runtime.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perfbox.testing.contract.JobStoreContract;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** perfbox status's receipt lines. */
class ReceiptLinesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String lines(JsonNode receipt) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        JobLines.receiptLines(out, receipt);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void eachPartOfTheReceiptIsALineAPersonReads() {
        String text = lines(JSON.valueToTree(JobStoreContract.fullReceipt().toMap()));
        assertThat(text).contains(
                "receipt perfbox:    0.1.0-SNAPSHOT\n",
                "receipt dockerfile: sha256 " + JobStoreContract.fullReceipt().dockerfileSha256() + "\n",
                "receipt image:      sha256:" + "ab".repeat(32) + "\n",
                "receipt base image: debian:bookworm sha256:" + "cd".repeat(32) + "\n",
                "receipt base image: debian:bookworm-slim\n",
                "receipt scanner:    trivy 0.58.1, DB updated 2024-12-01T06:00:00.123Z, DB downloaded 2024-12-02T07:00:00Z\n",
                "receipt limits:     memory 512 MiB, cpus 1.5, pids 256, time 600 s, /data 1 GiB, writable layer 10 GiB\n",
                "receipt cpuset:     0-1\n",
                "receipt runtime:    runc\n",
                "receipt host CPU:   Intel(R) Xeon(R) CPU @ 2.20GHz\n",
                "receipt kernel:     6.1.0-28-amd64\n");
    }

    @Test
    void aJobWithoutAReceiptSaysSo() {
        assertThat(lines(null)).isEqualTo("receipt:     none (the job was submitted before perfbox kept receipts)\n");
        assertThat(lines(JSON.nullNode())).startsWith("receipt:     none");
    }

    @Test
    void aServersHostileTextCannotDriveTheTerminal() throws Exception {
        String text = lines(JSON.readTree("{\"kernel\": \"6.1\\u001b]0;pwned\\u0007\\r\\nreceipt image:      fake\"}"));
        assertThat(text).isEqualTo("receipt kernel:     6.1 ]0;pwned   receipt image:      fake\n");
        assertThat(text.chars().filter(c -> c < 0x20 && c != '\n')).isEmpty();
    }
}
