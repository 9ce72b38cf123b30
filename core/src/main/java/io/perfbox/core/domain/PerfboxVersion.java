package io.perfbox.core.domain;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version of this perfbox, as the build wrote it (named in every job's receipt). */
public final class PerfboxVersion {
    private static final String VERSION = read();

    private PerfboxVersion() {
    }

    /** The project version; "unknown" when the build did not write it (classes run from an unfiltered tree). */
    public static String current() {
        return VERSION;
    }

    private static String read() {
        try (InputStream in = PerfboxVersion.class.getResourceAsStream("/io/perfbox/core/perfbox-version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "");
            return v.isBlank() || v.contains("${") ? "unknown" : v.strip();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
