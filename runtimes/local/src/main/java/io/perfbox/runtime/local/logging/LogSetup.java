package io.perfbox.runtime.local.logging;

import io.perfbox.logging.JsonLogFormatter;
import io.perfbox.logging.TextLogFormatter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.ConsoleHandler;
import java.util.logging.FileHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * Routes java.util.logging to stderr, as JSON lines or as plain text lines for a person, and always as JSON lines in
 * {@code <dataDir>/logs/perfbox.log} (rotated), which tools read.
 */
public final class LogSetup {
    private LogSetup() {
    }

    /** {@code text}: the console gets {@link TextLogFormatter}'s lines, else JSON; the file gets JSON either way. */
    public static void logs(Path dataDir, Level level, boolean text) {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        root.setLevel(level);
        Handler console = new ConsoleHandler();
        console.setFormatter(text ? new TextLogFormatter() : new JsonLogFormatter());
        console.setLevel(level);
        root.addHandler(console);
        try {
            Path logs = Files.createDirectories(dataDir.resolve("logs"));
            FileHandler file = new FileHandler(logs.resolve("perfbox.%g.log").toString(), 10 * 1024 * 1024, 3, true);
            file.setFormatter(new JsonLogFormatter());
            file.setLevel(level);
            root.addHandler(file);
        } catch (IOException e) {
            root.warning("cannot write logs under " + dataDir + ": " + e.getMessage());
        }
    }
}
