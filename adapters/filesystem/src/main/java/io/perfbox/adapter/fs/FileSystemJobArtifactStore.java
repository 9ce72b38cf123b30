package io.perfbox.adapter.fs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.ScanReport;
import io.perfbox.core.log.BoundedLog;
import io.perfbox.core.log.LogWindow;
import io.perfbox.core.port.JobArtifactStore;
import io.perfbox.core.port.LogSlice;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Keeps a job's logs and scan report in {@code <root>/<jobId>/}. A log is one file, {@code <kind>.log}, written in
 * place as output comes: a header (bounds, bytes appended, complete), the head region and the tail as a ring, so a
 * flood costs the bounds on disk and each append one positional write. Readers and the writer of one store take
 * the same lock per file. Logs of earlier versions ({@code <kind>-log.json}, stored whole) are still read.
 */
public class FileSystemJobArtifactStore implements JobArtifactStore {
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final byte[] MAGIC = "PBLOG01\n".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER = 32;
    private static final int COMPLETE = 1;
    private static final int TRUNCATED_BEFORE = 2;

    private final Path root;
    private final int headBytes;
    private final int tailBytes;
    private final Object[] locks = new Object[64];

    public FileSystemJobArtifactStore(Path root) {
        this(root, BoundedLog.DEFAULT_HEAD_BYTES, BoundedLog.DEFAULT_TAIL_BYTES);
    }

    /** Logs written as they are produced keep this many bytes from their start and from their end. */
    public FileSystemJobArtifactStore(Path root, int headBytes, int tailBytes) {
        if (headBytes < 0 || tailBytes < 0 || headBytes + tailBytes < 1) {
            throw new IllegalArgumentException("a log must keep at least one byte");
        }
        this.root = root;
        this.headBytes = headBytes;
        this.tailBytes = tailBytes;
        Arrays.setAll(locks, i -> new Object());
    }

    private Path dirOf(JobId id) {
        return root.resolve(id.value());
    }

    private Path logFile(JobId id, LogKind kind) {
        return dirOf(id).resolve(kind.name().toLowerCase(Locale.ROOT) + ".log");
    }

    private Path legacyLogFile(JobId id, LogKind kind) {
        return dirOf(id).resolve(kind.name().toLowerCase(Locale.ROOT) + "-log.json");
    }

    private Object lockOf(Path file) {
        return locks[Math.floorMod(file.hashCode(), locks.length)];
    }

    private static byte[] header(int headLimit, int tailLimit, long total, int flags) {
        return ByteBuffer.allocate(HEADER).put(MAGIC).putInt(headLimit).putInt(tailLimit).putLong(total).putInt(flags)
                .array();
    }

    @Override
    public void saveLog(JobId id, LogKind kind, CapturedLog log) {
        byte[] text = log.text().getBytes(StandardCharsets.UTF_8);
        Path file = logFile(id, kind);
        synchronized (lockOf(file)) {
            byte[] content = new byte[HEADER + text.length];
            System.arraycopy(header(Math.max(1, text.length), 0, text.length,
                    COMPLETE | (log.truncated() ? TRUNCATED_BEFORE : 0)), 0, content, 0, HEADER);
            System.arraycopy(text, 0, content, HEADER, text.length);
            Files2.writeAtomically(file, content);
            deleteQuietly(legacyLogFile(id, kind));
        }
    }

    @Override
    public LogWriter openLog(JobId id, LogKind kind) {
        Path file = logFile(id, kind);
        FileChannel channel;
        synchronized (lockOf(file)) {
            // A new file (a rename), so that a writer of the log it replaces writes on into the old one, unseen.
            Files2.writeAtomically(file, header(headBytes, tailBytes, 0, 0));
            deleteQuietly(legacyLogFile(id, kind));
            try {
                channel = FileChannel.open(file, StandardOpenOption.WRITE);
            } catch (IOException e) {
                throw new UncheckedIOException("could not open " + file, e);
            }
        }
        return new FileLogWriter(file, channel);
    }

    private final class FileLogWriter implements LogWriter {
        private final Path file;
        private final FileChannel channel;
        private long total;
        private boolean closed;

        FileLogWriter(Path file, FileChannel channel) {
            this.file = file;
            this.channel = channel;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            if (closed) {
                throw new IllegalStateException("the log is complete");
            }
            if (length == 0) {
                return;
            }
            synchronized (lockOf(file)) {
                try {
                    LogWindow w = new LogWindow(headBytes, tailBytes, total + length);
                    int i = 0;
                    // Into the head while it has room; the rest into the ring, only the last tailBytes of it.
                    if (total < headBytes) {
                        int n = (int) Math.min(length, headBytes - total);
                        writeFully(ByteBuffer.wrap(bytes, offset, n), HEADER + total);
                        i = n;
                    }
                    if (tailBytes > 0 && i < length) {
                        int skip = Math.max(0, (length - i) - tailBytes);
                        i += skip;
                        while (i < length) {
                            long p = total + i;
                            int at = w.ringIndex(p);
                            int n = Math.min(length - i, tailBytes - at);
                            writeFully(ByteBuffer.wrap(bytes, offset + i, n), HEADER + (long) headBytes + at);
                            i += n;
                        }
                    }
                    total += length;
                    writeFully(ByteBuffer.allocate(8).putLong(0, total), 16);
                } catch (IOException e) {
                    throw new UncheckedIOException("could not append to " + file, e);
                }
            }
        }

        private void writeFully(ByteBuffer b, long position) throws IOException {
            long p = position;
            while (b.hasRemaining()) {
                p += channel.write(b, p);
            }
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            synchronized (lockOf(file)) {
                try (channel) {
                    writeFully(ByteBuffer.allocate(4).putInt(0, COMPLETE), 24);
                } catch (IOException e) {
                    throw new UncheckedIOException("could not complete " + file, e);
                }
            }
        }
    }

    /** A log file's header. */
    private record Header(int headLimit, int tailLimit, long total, int flags) {
        LogWindow window() {
            return new LogWindow(headLimit, tailLimit, total);
        }
    }

    private static Header readHeader(FileChannel channel, Path file) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(HEADER);
        while (b.hasRemaining() && channel.read(b, b.position()) > 0) {
            // read on
        }
        byte[] magic = Arrays.copyOf(b.array(), MAGIC.length);
        if (b.hasRemaining() || !Arrays.equals(magic, MAGIC)) {
            throw new IOException(file + " is not a perfbox log");
        }
        b.flip().position(MAGIC.length);
        return new Header(b.getInt(), b.getInt(), b.getLong(), b.getInt());
    }

    @Override
    public Optional<LogSlice> readLog(JobId id, LogKind kind, long offset, int maxBytes) {
        Path file = logFile(id, kind);
        synchronized (lockOf(file)) {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                Header h = readHeader(channel, file);
                LogWindow w = h.window();
                LogWindow.Range r = w.range(offset, maxBytes);
                ByteBuffer out = ByteBuffer.allocate((int) (r.to() - r.from()));
                long p = r.from();
                while (out.hasRemaining()) {
                    long at;
                    int n;
                    if (p < h.headLimit()) {
                        at = HEADER + p;
                        n = out.remaining();
                    } else {
                        int ring = w.ringIndex(p);
                        at = HEADER + (long) h.headLimit() + ring;
                        n = Math.min(out.remaining(), h.tailLimit() - ring);
                    }
                    ByteBuffer part = out.slice(out.position(), n);
                    while (part.hasRemaining()) {
                        if (channel.read(part, at + part.position()) < 0) {
                            throw new IOException(file + " ends before its header says");
                        }
                    }
                    out.position(out.position() + n);
                    p += n;
                }
                return Optional.of(new LogSlice(r.from(), out.array(), r.omitted(), h.total(),
                        (h.flags() & COMPLETE) != 0));
            } catch (NoSuchFileException e) {
                return legacy(id, kind).map(l -> BoundedLog.whole(l).read(offset, maxBytes));
            } catch (IOException e) {
                throw new UncheckedIOException("could not read " + file, e);
            }
        }
    }

    @Override
    public Optional<CapturedLog> log(JobId id, LogKind kind) {
        Path file = logFile(id, kind);
        synchronized (lockOf(file)) {
            Optional<LogSlice> first = readLog(id, kind, 0, 0);
            if (first.isEmpty()) {
                return Optional.empty();
            }
            boolean truncatedBefore;
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                truncatedBefore = (readHeader(channel, file).flags() & TRUNCATED_BEFORE) != 0;
            } catch (NoSuchFileException e) {
                return legacy(id, kind);
            } catch (IOException e) {
                throw new UncheckedIOException("could not read " + file, e);
            }
            return Optional.of(BoundedLog.captured((o, m) -> readLog(id, kind, o, m).orElseThrow(),
                    first.get().total(), truncatedBefore));
        }
    }

    private Optional<CapturedLog> legacy(JobId id, LogKind kind) {
        return read(legacyLogFile(id, kind), CapturedLog.class);
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + file, e);
        }
    }

    @Override
    public void saveScanReport(JobId id, ScanReport report) {
        write(dirOf(id).resolve("scan.json"), report);
    }

    @Override
    public Optional<ScanReport> scanReport(JobId id) {
        return read(dirOf(id).resolve("scan.json"), ScanReport.class);
    }

    /**
     * The jobs whose directory here was last changed before {@code cutoff} (the retention's look for files no record
     * names any more: a crash between a delete's record and its files).
     */
    public List<JobId> storedBefore(Instant cutoff) {
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        List<JobId> out = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                if (!name.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
                        || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                if (Files.getLastModifiedTime(dir, LinkOption.NOFOLLOW_LINKS).toInstant().isBefore(cutoff)) {
                    out.add(new JobId(name));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not list " + root, e);
        }
        return out;
    }

    /** What the job's files (its Dockerfile, logs, scan report) take on disk, in bytes; 0 when it has none. */
    public long bytes(JobId id) {
        Path dir = dirOf(id);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0; // removed meanwhile
                }
            }).sum();
        } catch (IOException | UncheckedIOException e) {
            return 0;
        }
    }

    @Override
    public void deleteAll(JobId id) {
        Files2.deleteTree(dirOf(id));
    }

    private static void write(Path file, Object value) {
        try {
            Files2.writeAtomically(file, JSON.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static <T> Optional<T> read(Path file, Class<T> type) {
        try {
            return Optional.of(JSON.readValue(file.toFile(), type));
        } catch (NoSuchFileException | FileNotFoundException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
    }
}
