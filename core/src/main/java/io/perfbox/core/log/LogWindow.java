package io.perfbox.core.log;

/**
 * Which bytes of a bounded log are kept: the first {@code headLimit} and the last {@code tailLimit} of {@code total}
 * appended; the middle between them is dropped. The one place this arithmetic is written, for every store.
 */
public record LogWindow(int headLimit, int tailLimit, long total) {
    public LogWindow {
        if (headLimit < 0 || tailLimit < 0 || total < 0) {
            throw new IllegalArgumentException("negative log bounds");
        }
    }

    /** End of the kept head. */
    public long headEnd() {
        return Math.min(total, headLimit);
    }

    /** Start of the kept tail: at the head's end unless bytes were dropped. */
    public long tailStart() {
        return Math.max(headEnd(), total - tailLimit);
    }

    public long dropped() {
        return tailStart() - headEnd();
    }

    /** One contiguous range to read for {@code offset}: [from, to), and how many dropped bytes were skipped. */
    public record Range(long from, long to, long omitted) {
    }

    /**
     * What a read at {@code offset} of at most {@code maxBytes} returns: an offset past the end reads at the end; one
     * in the dropped middle reads from the tail's start; a range never spans head and tail (the next read goes on).
     */
    public Range range(long offset, int maxBytes) {
        long at = Math.max(0, Math.min(offset, total));
        long omitted = 0;
        if (at >= headEnd() && at < tailStart()) {
            omitted = tailStart() - at;
            at = tailStart();
        }
        long limit = at < headEnd() ? headEnd() : total;
        return new Range(at, Math.min(limit, at + Math.max(0, maxBytes)), omitted);
    }

    /** Where the byte at absolute position {@code p} (in the tail) sits in a ring of {@code tailLimit} bytes. */
    public int ringIndex(long p) {
        return (int) ((p - headLimit) % tailLimit);
    }
}
