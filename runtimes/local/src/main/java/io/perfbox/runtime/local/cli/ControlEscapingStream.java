package io.perfbox.runtime.local.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * What the CLI writes to a terminal passes through here, so that nothing a job wrote (a failure message, a name, a
 * metric, a build or run line) can drive the terminal: C0 and C1 control characters, DEL and the bidirectional
 * overrides become visible escapes ({@code \u001b}), so an OSC title, a clear-screen or a line rewritten with a bare
 * carriage return shows as text. Newlines, tabs and CR LF pairs pass. The escapes are JSON's, so JSON printed to a
 * terminal stays valid JSON. Bytes are decoded as UTF-8 across writes; a malformed sequence shows as U+FFFD.
 */
final class ControlEscapingStream extends OutputStream {
    private final OutputStream out;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    private final ByteBuffer pending = ByteBuffer.allocate(8192);
    private final CharBuffer chars = CharBuffer.allocate(8192);
    /** A carriage return not yet followed by anything: it passes only as the first half of CR LF. */
    private boolean carriageReturn;

    ControlEscapingStream(OutputStream out) {
        this.out = out;
    }

    /** A print stream whose output reaches {@code out} escaped. */
    static PrintStream printStream(OutputStream out) {
        return new PrintStream(new ControlEscapingStream(out), true, StandardCharsets.UTF_8);
    }

    /** The text as a terminal may show it: every control character but newline and tab escaped (CR LF kept). */
    static String visible(String text) {
        StringBuilder b = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                b.append(c);
            } else {
                appendVisible(b, c);
            }
        }
        return b.toString();
    }

    /** Whether a terminal could take {@code c} as a command (or, for bidi overrides, reorder what follows). */
    static boolean isControl(char c) {
        return (c < 0x20 && c != '\n' && c != '\t') || (c >= 0x7f && c <= 0x9f)
                || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)
                || c == 0x200e || c == 0x200f || c == 0x061c;
    }

    private static void appendVisible(StringBuilder b, char c) {
        if (isControl(c)) {
            b.append(String.format("\\u%04x", (int) c));
        } else {
            b.append(c);
        }
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            int n = Math.min(len, pending.remaining());
            pending.put(b, off, n);
            off += n;
            len -= n;
            drain(false);
        }
    }

    @Override
    public synchronized void flush() throws IOException {
        drain(false);
        out.flush();
    }

    @Override
    public synchronized void close() throws IOException {
        drain(true);
        out.close();
    }

    /** Decodes what is pending (keeping an unfinished UTF-8 sequence unless {@code end}) and writes it escaped. */
    private void drain(boolean end) throws IOException {
        pending.flip();
        StringBuilder text = new StringBuilder();
        CoderResult result;
        do {
            result = decoder.decode(pending, chars, end);
            if (end && result.isUnderflow()) {
                decoder.flush(chars);
            }
            chars.flip();
            while (chars.hasRemaining()) {
                char c = chars.get();
                if (carriageReturn) {
                    carriageReturn = false;
                    text.append(c == '\n' ? "\r" : "\\u000d");
                }
                if (c == '\r') {
                    carriageReturn = true;
                } else {
                    appendVisible(text, c);
                }
            }
            chars.clear();
        } while (result.isOverflow());
        if (end && carriageReturn) {
            text.append("\\u000d");
            carriageReturn = false;
        }
        pending.compact();
        out.write(text.toString().getBytes(StandardCharsets.UTF_8));
    }
}
