package io.perfbox.runtime.local;

import java.io.Console;
import java.lang.reflect.Method;

/** Whether this process talks to a person at a terminal (then tables and plain log lines), or to a pipe or a file. */
public final class Terminal {
    private Terminal() {
    }

    /**
     * True when standard input and output are a terminal. Up to JDK 21 {@link System#console()} is null otherwise; from
     * JDK 22 it may exist anyway and {@code Console.isTerminal()} (not in the release this compiles against) tells.
     */
    public static boolean attached() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (NoSuchMethodException e) {
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }
}
