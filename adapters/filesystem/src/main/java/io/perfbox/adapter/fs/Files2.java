package io.perfbox.adapter.fs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Small file-system helpers the local stores share: atomic writes and link-safe recursive deletion. */
final class Files2 {
    private Files2() {
    }

    /** Writes via a temporary file and an atomic rename, so a crash never leaves a half-written file. */
    static void writeAtomically(Path target, byte[] content) {
        try {
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
            try {
                Files.write(tmp, content);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + target, e);
        }
    }

    /** Deletes a tree without following symbolic links (links are removed, never their targets). */
    static void deleteTree(Path root) {
        LinkSafeFiles.deleteTree(root);
    }
}
