package io.perfbox.runtime.aws;

import io.perfbox.logging.JsonLogFormatter;
import java.io.UnsupportedEncodingException;
import java.util.List;
import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * java.util.logging in a Lambda container: every record (ours, and the SDK's through SLF4J) becomes one JSON line on
 * stderr ({@link JsonLogFormatter}), which Lambda sends to CloudWatch as one event; JUL's default text format would
 * split each record over two lines and a stack trace over many. Installed once per container by the Lambda
 * wiring (the handlers' no-argument constructors), never by the handlers themselves, since the local server runs
 * the same handlers under its own logging set-up.
 */
public final class LambdaLogging {
    /** Kept here: a logger only referenced by the log manager may be collected, and its level with it. */
    private static final List<Logger> QUIETED = List.of(Logger.getLogger("software.amazon"));

    private static boolean installed;

    private LambdaLogging() {
    }

    /** Idempotent: the first call installs, later ones do nothing. */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        root.setLevel(Level.INFO);
        root.addHandler(jsonOnStderr());
        // The SDK is chatty at INFO; its warnings still show.
        QUIETED.forEach(logger -> logger.setLevel(Level.WARNING));
        installed = true;
    }

    /** The handler Lambda's log lines go through: JSON lines on stderr. */
    static Handler jsonOnStderr() {
        Handler handler = new ConsoleHandler();
        handler.setFormatter(new JsonLogFormatter());
        handler.setLevel(Level.ALL);
        try {
            handler.setEncoding("UTF-8");
        } catch (UnsupportedEncodingException e) {
            throw new IllegalStateException(e);
        }
        return handler;
    }
}
