package io.perfbox.runtime.local.logging;

import io.perfbox.logging.JsonLogFormatter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.ConsoleHandler;
import java.util.logging.FileHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/** Routes java.util.logging to JSON lines on stderr and in {@code <dataDir>/logs/perfbox.log} (rotated). */
public final class LogSetup {
    private LogSetup() {
    }

    public static void jsonLogs(Path dataDir, Level level) {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        root.setLevel(level);
        Handler console = new ConsoleHandler();
        console.setFormatter(new JsonLogFormatter());
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
