package io.perfbox.adapter.process;

import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import io.perfbox.core.port.LogSink;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Keeps the first and the last bytes of a stream within a fixed budget, however much is written:
 * a log flood costs memory for the budget only. Thread-safe.
 */
public final class BoundedCapture {
    private final int headLimit;
    private final int tailLimit;
    private final ByteArrayOutputStream head;
    private final byte[] tail;
    private int tailStart;
    private int tailSize;
    private long total;
    /** Also gets everything written, as it comes (a job's log stored as it is produced). */
    private final LogSink tee;

    /** Keeps up to maxBytes in all: half from the start, half from the end. */
    public BoundedCapture(int maxBytes) {
        this(maxBytes, LogSink.NONE);
    }

    /** As above, every write also passed on to {@code tee} as it comes. */
    public BoundedCapture(int maxBytes, LogSink tee) {
        this.tee = Objects.requireNonNull(tee, "tee");
        if (maxBytes < 2) {
            throw new IllegalArgumentException("maxBytes must be at least 2");
        }
        this.headLimit = maxBytes / 2;
        this.tailLimit = maxBytes - headLimit;
        this.head = new ByteArrayOutputStream(Math.min(headLimit, 8192));
        this.tail = new byte[tailLimit];
    }

    public synchronized void write(byte[] buf, int off, int len) {
        tee.write(buf, off, len);
        total += len;
        int toHead = Math.min(len, headLimit - head.size());
        if (toHead > 0) {
            head.write(buf, off, toHead);
            off += toHead;
            len -= toHead;
        }
        for (int i = 0; i < len; i++) {
            int pos = (tailStart + tailSize) % tailLimit;
            tail[pos] = buf[off + i];
            if (tailSize < tailLimit) {
                tailSize++;
            } else {
                tailStart = (tailStart + 1) % tailLimit;
            }
        }
    }

    public synchronized long totalBytes() {
        return total;
    }

    public synchronized boolean truncated() {
        return total > (long) head.size() + tailSize;
    }

    public synchronized byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(head.size() + tailSize);
        out.writeBytes(head.toByteArray());
        for (int i = 0; i < tailSize; i++) {
            out.write(tail[(tailStart + i) % tailLimit]);
        }
        return out.toByteArray();
    }

    /** The kept text; where bytes were dropped, a line says how many. Invalid UTF-8 is replaced, not fatal. */
    public synchronized CapturedLog toLog() {
        if (!truncated()) {
            return new CapturedLog(new String(bytes(), StandardCharsets.UTF_8), false);
        }
        byte[] tailBytes = new byte[tailSize];
        for (int i = 0; i < tailSize; i++) {
            tailBytes[i] = tail[(tailStart + i) % tailLimit];
        }
        long omitted = total - head.size() - tailSize;
        String text = new String(head.toByteArray(), StandardCharsets.UTF_8)
                + "\n[... " + omitted + " bytes omitted ...]\n"
                + new String(tailBytes, StandardCharsets.UTF_8);
        return new CapturedLog(text, true);
    }
}
