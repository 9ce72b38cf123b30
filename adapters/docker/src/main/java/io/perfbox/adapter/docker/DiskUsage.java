package io.perfbox.adapter.docker;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** What a directory tree stores, counted from the host side without following links. */
final class DiskUsage {
    /** What an entry that is not a regular file (a directory, a link, a fifo) is counted as: one block. */
    static final long ENTRY_BYTES = 4096;

    private DiskUsage() {
    }

    /**
     * The sizes of every regular file under {@code root} (a sparse file counts its whole length), plus one block per
     * other entry; 0 when root does not exist. Entries that vanish while counted are skipped.
     */
    static long bytesUnder(Path root) {
        if (!Files.isDirectory(root)) {
            return 0;
        }
        long[] total = {0};
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    total[0] += ENTRY_BYTES;
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    total[0] += attrs.isRegularFile() ? attrs.size() : ENTRY_BYTES;
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // as far as it got
        }
        return total[0];
    }
}
