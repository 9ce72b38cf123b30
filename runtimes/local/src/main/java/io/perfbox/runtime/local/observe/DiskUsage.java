package io.perfbox.runtime.local.observe;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The disk a directory takes, as {@code du} counts it: blocks allocated, not apparent sizes (a job's /data image is
 * sparse: a 1 GiB image holding a few files takes a few blocks), and on the directory's own file system only
 * ({@code -x}: a job's /data mounted under it is counted once, as its image's blocks).
 */
public final class DiskUsage {
    private static final Logger LOG = Logger.getLogger(DiskUsage.class.getName());
    private static final long TIMEOUT_SECONDS = 60;

    private DiskUsage() {
    }

    /** Bytes {@code dir} takes on disk; empty when {@code du} cannot tell. */
    public static OptionalLong of(Path dir) {
        try {
            Process p = new ProcessBuilder("du", "-s", "-x", "-B1", dir.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readNBytes(4096);
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return OptionalLong.empty();
            }
            // du exits 1 when a file vanished while it walked (a job ended meanwhile): its total still stands.
            String first = new String(out, StandardCharsets.UTF_8).strip().split("\\s+", 2)[0];
            return first.matches("\\d{1,19}") ? OptionalLong.of(Long.parseLong(first)) : OptionalLong.empty();
        } catch (IOException e) {
            LOG.fine(() -> "du " + dir + ": " + e.getMessage());
            return OptionalLong.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalLong.empty();
        }
    }
}
