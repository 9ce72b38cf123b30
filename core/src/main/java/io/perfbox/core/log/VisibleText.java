package io.perfbox.core.log;

/**
 * Text a job produced (its build's or run's output, its Dockerfile) made safe to put into a message a person reads
 * on a terminal or a page: every control character (C0 including CR, LF and tab, DEL, C1), the bidirectional
 * overrides and marks become visible escapes ({@code \u001b}, JSON's form, as the CLI shows them), so no line of it
 * can move the cursor, rewrite a line, set a title or start a line of its own; and a line is cut to a length.
 */
public final class VisibleText {
    private VisibleText() {
    }

    /** {@code text} as one visible line of at most {@code maxChars} characters (then cut, ending in "…"). */
    public static String line(String text, int maxChars) {
        if (maxChars < 2) {
            throw new IllegalArgumentException("maxChars must be at least 2");
        }
        StringBuilder b = new StringBuilder(Math.min(text.length(), maxChars) + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String piece = isControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c);
            if (b.length() + piece.length() > maxChars - 1 && i < text.length() - 1
                    || b.length() + piece.length() > maxChars) {
                // A cut never splits an escape or a surrogate pair.
                if (b.length() > 0 && Character.isHighSurrogate(b.charAt(b.length() - 1))) {
                    b.setLength(b.length() - 1);
                }
                return b.append('…').toString();
            }
            b.append(piece);
        }
        return b.toString();
    }

    /** Whether a terminal could take {@code c} as a command, or (bidi controls) reorder what follows. */
    public static boolean isControl(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f)
                || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)
                || c == 0x200e || c == 0x200f || c == 0x061c;
    }
}
