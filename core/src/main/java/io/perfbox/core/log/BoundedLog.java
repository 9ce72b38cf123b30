package io.perfbox.core.log;

import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import io.perfbox.core.port.LogSlice;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A log in memory that keeps its head and its tail (a ring) within fixed bounds however much is appended, counting
 * every byte: a flood costs the bounds only. Thread-safe; readers see every append that has returned.
 */
public final class BoundedLog {
    /** What perfbox keeps of each stage's output: 512 KiB from the start, 512 KiB from the end. */
    public static final int DEFAULT_HEAD_BYTES = 512 * 1024;
    public static final int DEFAULT_TAIL_BYTES = 512 * 1024;

    private final int headLimit;
    private final int tailLimit;
    private final byte[] head;
    private final byte[] ring;
    private long total;
    private boolean complete;
    /** Truncated before it came here (a log stored whole that was cut where it was made). */
    private final boolean truncatedBefore;

    public BoundedLog(int headLimit, int tailLimit) {
        this(headLimit, tailLimit, false);
    }

    private BoundedLog(int headLimit, int tailLimit, boolean truncatedBefore) {
        if (headLimit < 0 || tailLimit < 0 || headLimit + tailLimit < 1) {
            throw new IllegalArgumentException("a log must keep at least one byte");
        }
        this.headLimit = headLimit;
        this.tailLimit = tailLimit;
        this.head = new byte[headLimit];
        this.ring = new byte[tailLimit];
        this.truncatedBefore = truncatedBefore;
    }

    /** A log stored whole when its step ended (it was bounded where it was made): complete, nothing dropped here. */
    public static BoundedLog whole(CapturedLog log) {
        byte[] text = log.text().getBytes(StandardCharsets.UTF_8);
        BoundedLog whole = new BoundedLog(Math.max(1, text.length), 0, log.truncated());
        whole.append(text, 0, text.length);
        whole.complete();
        return whole;
    }

    public synchronized void append(byte[] bytes, int offset, int length) {
        if (complete) {
            throw new IllegalStateException("the log is complete");
        }
        for (int i = 0; i < length; i++) {
            long p = total + i;
            if (p < headLimit) {
                head[(int) p] = bytes[offset + i];
            } else if (tailLimit > 0) {
                ring[window(p).ringIndex(p)] = bytes[offset + i];
            }
        }
        total += length;
    }

    private LogWindow window(long t) {
        return new LogWindow(headLimit, tailLimit, t);
    }

    public synchronized void complete() {
        complete = true;
    }

    public synchronized long total() {
        return total;
    }

    public synchronized LogSlice read(long offset, int maxBytes) {
        LogWindow w = window(total);
        LogWindow.Range r = w.range(offset, maxBytes);
        byte[] out = new byte[(int) (r.to() - r.from())];
        for (int i = 0; i < out.length; i++) {
            long p = r.from() + i;
            out[i] = p < headLimit ? head[(int) p] : ring[w.ringIndex(p)];
        }
        return new LogSlice(r.from(), out, r.omitted(), total, complete);
    }

    /** The whole kept log as text: head, a line saying how many bytes were dropped, tail. */
    public synchronized CapturedLog toCapturedLog() {
        return captured(this::read, total, truncatedBefore);
    }

    /** For stores that read slices elsewhere (a file): the text view built from reads. */
    public interface Reader {
        LogSlice read(long offset, int maxBytes);
    }

    /** The text view of a log: its kept bytes in order, with the dropped middle named as one line. */
    public static CapturedLog captured(Reader reader, long total, boolean truncatedBefore) {
        ByteArrayOutputStream headBytes = new ByteArrayOutputStream();
        ByteArrayOutputStream tailBytes = new ByteArrayOutputStream();
        long omitted = 0;
        long at = 0;
        while (at < total) {
            LogSlice s = reader.read(at, 1024 * 1024);
            if (s.bytes().length == 0) {
                break;
            }
            omitted += s.omitted();
            (omitted > 0 ? tailBytes : headBytes).writeBytes(s.bytes());
            at = s.next();
        }
        String text = headBytes.toString(StandardCharsets.UTF_8);
        if (omitted > 0) {
            text += "\n" + omittedLine(omitted) + "\n" + tailBytes.toString(StandardCharsets.UTF_8);
        }
        return new CapturedLog(text, truncatedBefore || omitted > 0);
    }

    /** How a dropped middle is shown in text: the same line wherever a log is shown whole or read on. */
    public static String omittedLine(long bytes) {
        return "[... " + bytes + " bytes omitted ...]";
    }

    /** The log as a store keeps it. */
    public synchronized Snapshot snapshot() {
        LogWindow w = window(total);
        byte[] h = Arrays.copyOf(head, (int) w.headEnd());
        byte[] t = read(w.tailStart(), (int) (total - w.tailStart())).bytes();
        return new Snapshot(headLimit, tailLimit, total, complete, truncatedBefore, h, t);
    }

    /** A bounded log as stored: bounds, count, flags, the kept head and the kept tail (ending at total). */
    public record Snapshot(int headLimit, int tailLimit, long total, boolean complete, boolean truncatedBefore,
                           byte[] head, byte[] tail) {
    }

    public static BoundedLog of(Snapshot s) {
        BoundedLog log = new BoundedLog(s.headLimit(), s.tailLimit(), s.truncatedBefore());
        System.arraycopy(s.head(), 0, log.head, 0, s.head().length);
        long tailStart = s.total() - s.tail().length;
        for (int i = 0; i < s.tail().length; i++) {
            long p = tailStart + i;
            log.ring[log.window(s.total()).ringIndex(p)] = s.tail()[i];
        }
        log.total = s.total();
        log.complete = s.complete();
        return log;
    }
}
