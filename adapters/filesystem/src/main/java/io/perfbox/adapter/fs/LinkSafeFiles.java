package io.perfbox.adapter.fs;

import io.perfbox.core.port.JobWorkspace.Content;
import io.perfbox.core.port.JobWorkspace.Missing;
import io.perfbox.core.port.JobWorkspace.NotRegularFile;
import io.perfbox.core.port.JobWorkspace.ResultFile;
import io.perfbox.core.port.JobWorkspace.TooLarge;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;

/**
 * Reading and removing what a job's container left in its workspace, where the container may have planted links,
 * pipes or huge files: the local runtime's job directories and data-dir backups. (The AWS runtime's task collector
 * answers as this does for each such file; infra-cdk's TaskHelpersImageIT holds the two equal.)
 */
public final class LinkSafeFiles {
    private LinkSafeFiles() {
    }

    /**
     * Reads {@code file} as a regular file only, never following a link, reading at most maxBytes + 1 bytes.
     * A pipe or device is reported without being opened (opening a pipe would block).
     */
    public static ResultFile read(Path file, int maxBytes) {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return new Missing();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!attrs.isRegularFile()) {
            return new NotRegularFile(kindOf(attrs));
        }
        if (attrs.size() > maxBytes) {
            return new TooLarge(maxBytes);
        }
        // NOFOLLOW_LINKS on open too: a link swapped in after the check above is refused (ELOOP), not followed.
        try (SeekableByteChannel ch = Files.newByteChannel(file,
                Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
             InputStream in = Channels.newInputStream(ch)) {
            byte[] bytes = in.readNBytes(maxBytes + 1);
            return bytes.length > maxBytes ? new TooLarge(maxBytes) : new Content(bytes);
        } catch (NoSuchFileException e) {
            return new Missing();
        } catch (FileSystemException e) {
            return new NotRegularFile("file that cannot be opened safely (" + e.getReason() + ")");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String kindOf(BasicFileAttributes attrs) {
        if (attrs.isSymbolicLink()) {
            return "symbolic link";
        }
        if (attrs.isDirectory()) {
            return "directory";
        }
        return "special file (pipe, socket or device)";
    }

    /** Deletes a tree without following symbolic links (links are removed, never their targets); absent is fine. */
    public static void deleteTree(Path root) {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException e) {
            // removed concurrently: the goal is reached
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + root, e);
        }
    }
}
