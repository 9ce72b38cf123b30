package io.perfbox.runtime.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ControlEscapingStreamTest {

    private static String through(byte[]... writes) throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (ControlEscapingStream s = new ControlEscapingStream(sink)) {
            for (byte[] w : writes) {
                s.write(w, 0, w.length);
                s.flush();
            }
        }
        return sink.toString(StandardCharsets.UTF_8);
    }

    private static String through(String text) throws IOException {
        return through(text.getBytes(StandardCharsets.UTF_8));
    }

    private static void assertNoControls(String shown) {
        shown.chars().forEach(c -> assertThat(c == '\n' || c == '\t' || c == '\r' || !ControlEscapingStream.isControl((char) c))
                .as("U+%04X in %s", c, shown).isTrue());
    }

    @Test
    void titleSettingAndClearScreenSequencesArriveAsVisibleText() throws IOException {
        String shown = through("step 3: \u001b]0;you are pwned\u0007\u001b[2J\u001b[H done\n");
        assertThat(shown).isEqualTo("step 3: \\u001b]0;you are pwned\\u0007\\u001b[2J\\u001b[H done\n");
        assertNoControls(shown);
    }

    @Test
    void c1ControlsDelAndBidiOverridesAreEscapedToo() throws IOException {
        String shown = through("a\u009b2Jb\u007fc\u202eevil\u2066d\u200fe\n");
        assertThat(shown).isEqualTo("a\\u009b2Jb\\u007fc\\u202eevil\\u2066d\\u200fe\n");
    }

    @Test
    void newlinesTabsAndCrLfPassButABareCarriageReturnCannotRewriteTheLine() throws IOException {
        assertThat(through("a\tb\r\nc\n")).isEqualTo("a\tb\r\nc\n");
        assertThat(through("SUCCEEDED? no\rSUCCEEDED\n")).isEqualTo("SUCCEEDED? no\\u000dSUCCEEDED\n");
    }

    @Test
    void aCrLfSplitAcrossWritesStaysOneLineBreak() throws IOException {
        assertThat(through("a\r".getBytes(StandardCharsets.UTF_8), "\nb\n".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("a\r\nb\n");
    }

    @Test
    void multiByteCharactersSplitAcrossWritesAreKept() throws IOException {
        byte[] all = "é€😀\u009b".getBytes(StandardCharsets.UTF_8);
        byte[][] single = new byte[all.length][];
        for (int i = 0; i < all.length; i++) {
            single[i] = new byte[] {all[i]};
        }
        assertThat(through(single)).isEqualTo("é€😀\\u009b");
    }

    @Test
    void malformedUtf8ShowsAsTheReplacementCharacterNotAsARawByte() throws IOException {
        // 0x9b alone is the 8-bit CSI of terminals that take C1 bytes.
        String shown = through(new byte[] {'x', (byte) 0x9b, '2', 'J', '\n'});
        assertThat(shown).isEqualTo("x\uFFFD2J\n");
    }

    @Test
    void jsonPrintedToATerminalStaysValidJsonWithTheSameValue() throws IOException {
        ObjectMapper json = new ObjectMapper();
        String message = "exit 3 \u009b31m red \u202e";
        String printed = json.writeValueAsString(Map.of("message", message));
        String shown = through(printed);
        assertNoControls(shown);
        assertThat(json.readTree(shown).get("message").asText()).isEqualTo(message);
    }

    @Test
    void visibleEscapesAStringTheSameWay() {
        assertThat(ControlEscapingStream.visible("a\u001b[2Jb\r\nc\rd")).isEqualTo("a\\u001b[2Jb\r\nc\\u000dd");
    }
}
