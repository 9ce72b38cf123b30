package io.perfbox.testing.logging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perfbox.logging.JsonLogFormatter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * What the code under test logs while this is open, through the same formatter the runtimes use: JSON lines, as
 * they would reach stderr. Captures everything under {@code io.perfbox} at every level from INFO up.
 */
public final class CapturedLogLines implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Logger logger = Logger.getLogger("io.perfbox");
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final Handler handler = new StreamHandler(bytes, new JsonLogFormatter());
    private final Level previousLevel = logger.getLevel();

    public CapturedLogLines() {
        handler.setLevel(Level.INFO);
        logger.setLevel(Level.INFO);
        logger.addHandler(handler);
    }

    /** The raw lines so far. */
    public List<String> lines() {
        handler.flush();
        String text = bytes.toString(StandardCharsets.UTF_8);
        if (text.isEmpty()) {
            return List.of();
        }
        if (!text.endsWith("\n")) {
            throw new AssertionError("the last line is not ended: " + text);
        }
        return List.of(text.substring(0, text.length() - 1).split("\n", -1));
    }

    /** Each line parsed; fails if a line is not one JSON object. */
    public List<JsonNode> json() {
        List<JsonNode> parsed = new ArrayList<>();
        for (String line : lines()) {
            try {
                JsonNode node = JSON.readTree(line);
                if (node == null || !node.isObject()) {
                    throw new AssertionError("not a JSON object: " + line);
                }
                parsed.add(node);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + line, e);
            }
        }
        return parsed;
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
        logger.setLevel(previousLevel);
    }
}
