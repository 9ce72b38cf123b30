package io.perfbox.core.port;

/**
 * Part of a job's log read from an offset. Offsets count every byte appended, the dropped ones too, so an offset a
 * reader was given stays valid however much is appended later. {@code offset}: where {@code bytes} start; when the
 * offset asked for fell into the dropped middle of a bounded log, the read starts where the kept tail starts and
 * {@code omitted} says how many bytes were skipped. {@code total}: bytes appended so far; {@code complete}: nothing
 * more will be appended.
 */
public record LogSlice(long offset, byte[] bytes, long omitted, long total, boolean complete) {
    public LogSlice {
        bytes = bytes == null ? new byte[0] : bytes;
        if (offset < 0 || omitted < 0 || offset + bytes.length > total) {
            throw new IllegalArgumentException("a slice of " + bytes.length + " bytes at " + offset + " of " + total);
        }
    }

    /** Where the next read starts. */
    public long next() {
        return offset + bytes.length;
    }

    /** Whether the log is complete and this read reached its end. */
    public boolean atEnd() {
        return complete && next() >= total;
    }
}
