package io.perfbox.runtime.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a hostile job writes (its build's last lines in the failure message, its name, its metric names, its output)
 * never reaches the user's terminal as control sequences: the views escape them on a terminal, {@code logs} too
 * unless {@code --raw}, and piped output stays byte-exact. The server here answers as perfbox's API does, with a job
 * that carries such sequences.
 */
class TerminalEscapesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ID = "6f1c1b8e-3d7a-4f7e-9a51-2b8f0c6d4e11";
    /** An OSC title, a clear-screen, a cursor home, a C1 CSI, a bidi override and a bare carriage return. */
    private static final String HOSTILE = "\u001b]0;pwned\u0007\u001b[2J\u001b[Hall good\u009b31m\u202etxt.exe\rSUCCEEDED";
    /** Output bytes that are not all UTF-8, as a job may write them. */
    private static final byte[] OUTPUT = concat("step 1\n\u001b[2Jhidden\r\n".getBytes(StandardCharsets.UTF_8),
            new byte[] {(byte) 0xff, (byte) 0x9b, '\n'});

    private HttpServer server;
    private Map<String, String> env;

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = new byte[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @BeforeEach
    void serveAHostileJob() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/jobs/" + ID, exchange -> {
            byte[] body;
            String type;
            if (exchange.getRequestURI().getPath().endsWith("/logs")) {
                body = OUTPUT;
                type = "text/plain; charset=utf-8";
                exchange.getResponseHeaders().set("Perfbox-Next-Offset", String.valueOf(OUTPUT.length));
                exchange.getResponseHeaders().set("Perfbox-Log-Complete", "true");
            } else {
                ObjectNode job = JSON.createObjectNode();
                job.put("id", ID).put("name", "name " + HOSTILE).put("status", "FAILED");
                job.putObject("failure").put("code", "BUILD_FAILED").put("message", "line 3: RUN exit 3\n" + HOSTILE);
                job.putNull("performance");
                job.putObject("metrics").put("m" + HOSTILE, 1);
                job.putArray("warnings").add("warn " + HOSTILE);
                job.putObject("stages").put("queuedAt", "2026-12-07T04:00:00Z");
                body = JSON.writeValueAsBytes(job);
                type = "application/json";
            }
            exchange.getResponseHeaders().set("Content-Type", type);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        env = Map.of("PERFBOX_URL", "http://127.0.0.1:" + server.getAddress().getPort());
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private record Raw(int code, byte[] out, String err) {
        String text() {
            return new String(out, StandardCharsets.UTF_8);
        }
    }

    private Raw run(boolean terminal, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new PerfboxCli(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(new byte[0]), env, terminal).run(List.of(args));
        return new Raw(code, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
    }

    /** No byte a terminal would act on: C0 but newline and tab, a carriage return outside CR LF, DEL, C1, bidi. */
    static void assertNothingDrivesATerminal(String shown) {
        for (int i = 0; i < shown.length(); i++) {
            char c = shown.charAt(i);
            boolean crLf = c == '\r' && i + 1 < shown.length() && shown.charAt(i + 1) == '\n';
            assertThat(crLf || !ControlEscapingStream.isControl(c)).as("U+%04X at %d of:%n%s", (int) c, i, shown).isTrue();
        }
    }

    @Test
    void statusOnATerminalShowsTheSequencesAsTextAndDoesNotPassThem() {
        Raw shown = run(true, "status", ID);
        assertThat(shown.code()).as(shown.err()).isZero();
        assertNothingDrivesATerminal(shown.text());
        assertThat(shown.text()).contains("\\u001b]0;pwned\\u0007\\u001b[2J", "\\u009b31m", "\\u202etxt.exe",
                "\\u000dSUCCEEDED", "name: ", "metrics:", "warning:");
    }

    @Test
    void aViewPipedToAFileIsEscapedTooForItIsReadOnATerminalLater() throws IOException {
        Raw lines = run(false, "status", ID, "-o", "table");
        assertThat(lines.code()).as(lines.err()).isZero();
        assertNothingDrivesATerminal(lines.text());
        assertThat(lines.text()).contains("\\u001b]0;pwned\\u0007\\u001b[2J");
        Raw json = run(false, "status", ID);
        assertNothingDrivesATerminal(json.text());
        assertThat(JSON.readTree(json.text()).get("name").asText()).isEqualTo("name " + HOSTILE);
    }

    @Test
    void jsonOnATerminalIsEscapedAndStillParsesToTheSameValues() throws IOException {
        Raw shown = run(true, "status", ID, "-o", "json");
        assertNothingDrivesATerminal(shown.text());
        assertThat(JSON.readTree(shown.text()).get("failure").get("message").asText()).endsWith(HOSTILE);
    }

    @Test
    void logsOnATerminalAreEscapedUnlessRaw() {
        Raw shown = run(true, "logs", ID);
        assertNothingDrivesATerminal(shown.text());
        assertThat(shown.text()).isEqualTo("step 1\n\\u001b[2Jhidden\r\n\uFFFD\uFFFD\n");
        assertThat(run(true, "logs", "--raw", ID).out()).isEqualTo(OUTPUT);
    }

    @Test
    void logsPipedAreByteExact() {
        Raw piped = run(false, "logs", ID);
        assertThat(piped.code()).as(piped.err()).isZero();
        assertThat(piped.out()).isEqualTo(OUTPUT);
    }
}
