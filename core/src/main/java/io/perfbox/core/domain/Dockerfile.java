package io.perfbox.core.domain;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A Dockerfile a customer submitted, validated: UTF-8 text, not empty, at most {@link #MAX_BYTES},
 * and with a FROM instruction before any other build instruction (ARG may precede it, as Docker allows).
 */
public record Dockerfile(String text) {
    public static final int MAX_BYTES = 64 * 1024;

    public Dockerfile {
        if (text == null || text.isBlank()) {
            throw new InvalidInputException("empty-dockerfile", "The Dockerfile is empty");
        }
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            throw tooLarge(bytes);
        }
        if (text.indexOf('\0') >= 0) {
            throw new InvalidInputException("dockerfile-not-text", "The Dockerfile contains a NUL byte; it must be UTF-8 text");
        }
        requireFromFirst(text);
    }

    public static InvalidInputException tooLarge(long bytes) {
        return new InvalidInputException(InvalidInputException.Kind.TOO_LARGE, "dockerfile-too-large",
                "The Dockerfile is " + (bytes < 0 ? "over" : bytes + " bytes, over") + " the limit of "
                        + MAX_BYTES + " bytes (64 KiB)");
    }

    /** Decodes bytes as strict UTF-8 (a leading BOM is dropped), rejecting invalid sequences. */
    public static Dockerfile fromUtf8(byte[] bytes) {
        if (bytes.length > MAX_BYTES) {
            throw tooLarge(bytes.length);
        }
        return new Dockerfile(decodeUtf8(bytes, "The Dockerfile"));
    }

    /** Strict UTF-8 decoding of client input; {@code what} names it in the error, e.g. "The request body". */
    public static String decodeUtf8(byte[] bytes, String what) {
        try {
            String s = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
            return s.startsWith("\uFEFF") ? s.substring(1) : s;
        } catch (CharacterCodingException e) {
            throw new InvalidInputException("not-utf8", what + " is not valid UTF-8 text");
        }
    }

    private static void requireFromFirst(String text) {
        String[] lines = text.split("\\r?\\n|\\r", -1);
        boolean continuation = false;
        for (String raw : lines) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                // Docker drops comment and blank lines first, so they do not end a line continuation.
                continue;
            }
            boolean wasContinuation = continuation;
            continuation = line.endsWith("\\");
            if (wasContinuation) {
                continue;
            }
            String instruction = line.split("\\s+", 2)[0].toUpperCase(Locale.ROOT);
            if (instruction.equals("FROM")) {
                if (line.split("\\s+").length < 2) {
                    throw new InvalidInputException("invalid-dockerfile", "FROM needs an image, e.g. FROM debian:bookworm");
                }
                return;
            }
            if (!instruction.equals("ARG")) {
                throw new InvalidInputException("invalid-dockerfile",
                        "The Dockerfile must start with a FROM instruction (found " + instruction + " first)");
            }
        }
        throw new InvalidInputException("invalid-dockerfile", "The Dockerfile has no FROM instruction");
    }
}
