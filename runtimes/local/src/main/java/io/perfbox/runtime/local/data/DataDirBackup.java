package io.perfbox.runtime.local.data;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perfbox.adapter.fs.LinkSafeFiles;
import io.perfbox.adapter.sqlite.SqliteBackups;
import io.perfbox.adapter.sqlite.SqliteJobStore;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serial;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

/**
 * {@code perfbox backup} and {@code perfbox restore}: a data dir as one gzip'd tar file, made while its server runs.
 *
 * <p>What goes in: a consistent copy of the database ({@code VACUUM INTO}: one snapshot of jobs, API keys, quota
 * usage, idempotency records and the page-token secret), the files of the jobs that snapshot holds
 * ({@code jobs/<id>/}: Dockerfile, logs, scan report) and the self-signed TLS pair if the data dir keeps one
 * ({@code tls/}). Each is copied aside first, so the archive is written from files that no longer change. A manifest,
 * the archive's first entry, lists every other entry with its size and SHA-256. Left out on purpose: what belongs to
 * this machine ({@code store-id}, which labels this server's containers and images, so a restored copy on the same
 * engine never removes the original's; {@code build-cache.key}), the server's own logs, jobs' workspaces and the lock.
 *
 * <p>A restore trusts nothing in the file: it extracts into a new directory beside the target, takes regular files
 * only at the paths a backup writes (no {@code ..}, no absolute path, no link, device or directory entry, no
 * duplicate, nothing the manifest does not list), checks every size and checksum and the database itself, and only
 * then moves the result into the target, which must be new or empty. Checksums find damage and tampering by anyone
 * who did not also rewrite the manifest; a backup holds the keys' hashes and the TLS private key, so it is written
 * readable by its owner only and is to be kept as such.
 */
public final class DataDirBackup {
    static final String MANIFEST = "manifest.json";
    static final String FORMAT = "perfbox-backup";
    static final int VERSION = 1;
    /** The paths a backup holds: the database, a job's files, the TLS pair. Nothing else is ever extracted. */
    static final Pattern ENTRY = Pattern.compile("perfbox\\.db"
            + "|jobs/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/[A-Za-z0-9][A-Za-z0-9._-]{0,63}"
            + "|tls/[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final int MAX_MANIFEST_BYTES = 64 * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private DataDirBackup() {
    }

    /** What a backup holds (or a restore brought back). */
    public record Summary(int jobs, int apiKeys, int files, long bytes, int schemaVersion) {
    }

    /** A backup or a restore that cannot be done as asked, or a file that is no sound backup: said, never half-done. */
    public static final class BackupException extends IllegalArgumentException {
        @Serial
        private static final long serialVersionUID = 1L;

        BackupException(String message) {
            super(message);
        }
    }

    // --- backup ---

    /** Writes a backup of {@code dataDir} (its server may be running) to the new file {@code file}. */
    public static Summary backup(Path dataDir, Path file) throws IOException {
        dataDir = dataDir.toAbsolutePath().normalize();
        file = file.toAbsolutePath().normalize();
        Path db = dataDir.resolve(SqliteJobStore.FILE_NAME);
        if (!Files.isRegularFile(db, LinkOption.NOFOLLOW_LINKS)) {
            throw new BackupException(dataDir + " holds no perfbox database (" + SqliteJobStore.FILE_NAME
                    + "): is it the data dir of a server?");
        }
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new BackupException(file + " exists already: give a new file (a backup never overwrites one)");
        }
        Path parent = Files.createDirectories(file.getParent());
        Path staging = Files.createTempDirectory(parent, ".perfbox-backup-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path partial = parent.resolve(file.getFileName() + ".partial");
        try {
            SqliteBackups.Contents snapshot = SqliteBackups.snapshot(dataDir, staging.resolve(SqliteJobStore.FILE_NAME));
            List<String> entries = new ArrayList<>();
            entries.add(SqliteJobStore.FILE_NAME);
            for (String id : snapshot.jobIds()) {
                entries.addAll(stageFlat(dataDir.resolve("jobs").resolve(id), staging, "jobs/" + id));
            }
            entries.addAll(stageFlat(dataDir.resolve("tls"), staging, "tls"));

            ObjectNode manifest = JSON.createObjectNode();
            manifest.put("format", FORMAT);
            manifest.put("version", VERSION);
            manifest.put("createdAt", Instant.now().toString());
            manifest.put("schemaVersion", snapshot.schemaVersion());
            manifest.put("jobs", snapshot.jobIds().size());
            manifest.put("apiKeys", snapshot.apiKeys());
            ArrayNode list = manifest.putArray("entries");
            long bytes = 0;
            for (String entry : entries) {
                Path staged = staging.resolve(entry);
                long size = Files.size(staged);
                bytes += size;
                list.addObject().put("path", entry).put("size", size).put("sha256", sha256(staged));
            }
            byte[] manifestBytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest);

            Files.deleteIfExists(partial);
            Files.createFile(partial, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.WRITE)) {
                OutputStream raw = Channels.newOutputStream(channel);
                GZIPOutputStream gz = new GZIPOutputStream(new BufferedOutputStream(raw, 1 << 16), 1 << 16);
                long mtime = Instant.now().getEpochSecond();
                Tar.writeHeader(gz, MANIFEST, manifestBytes.length, mtime);
                gz.write(manifestBytes);
                Tar.pad(gz, manifestBytes.length);
                for (String entry : entries) {
                    Path staged = staging.resolve(entry);
                    long size = Files.size(staged);
                    Tar.writeHeader(gz, entry, size, mtime);
                    Files.copy(staged, gz);
                    Tar.pad(gz, size);
                }
                Tar.writeEnd(gz);
                gz.finish();
                gz.flush();
                channel.force(true);
            }
            Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
            return new Summary(snapshot.jobIds().size(), snapshot.apiKeys(), entries.size(), bytes, snapshot.schemaVersion());
        } finally {
            Files.deleteIfExists(partial);
            LinkSafeFiles.deleteTree(staging);
        }
    }

    /** Copies the regular files directly in {@code dir} (links are never followed) into {@code staging/prefix}. */
    private static List<String> stageFlat(Path dir, Path staging, String prefix) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        Set<String> names = new TreeSet<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path p : files) {
                String name = p.getFileName().toString();
                if (FILE_NAME.matcher(name).matches() && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    names.add(name);
                }
            }
        }
        List<String> out = new ArrayList<>();
        for (String name : names) {
            Path target = staging.resolve(prefix).resolve(name);
            Files.createDirectories(target.getParent());
            try {
                Files.copy(dir.resolve(name), target, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                continue; // removed meanwhile (its job deleted since the snapshot)
            }
            out.add(prefix + "/" + name);
        }
        return out;
    }

    // --- restore ---

    /** Restores {@code file} into {@code target}, which must not exist or be empty; nothing is left on failure. */
    public static Summary restore(Path file, Path target) throws IOException {
        file = file.toAbsolutePath().normalize();
        target = target.toAbsolutePath().normalize();
        if (!Files.isRegularFile(file)) {
            throw new BackupException(file + " is not a file");
        }
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new BackupException(target + " exists and is not a directory: restore into a new or empty one");
            }
            try (DirectoryStream<Path> d = Files.newDirectoryStream(target)) {
                if (d.iterator().hasNext()) {
                    throw new BackupException(target + " is not empty: restore into a new or empty directory"
                            + " (a restore never mixes with or overwrites a data dir)");
                }
            }
        }
        Path parent = Files.createDirectories(target.getParent());
        Path staging = Files.createTempDirectory(parent, ".perfbox-restore-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        boolean moved = false;
        try {
            Summary summary = extract(file, staging);
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                try (DirectoryStream<Path> d = Files.newDirectoryStream(staging)) {
                    for (Path p : d) {
                        Files.move(p, target.resolve(p.getFileName().toString()), StandardCopyOption.ATOMIC_MOVE);
                    }
                }
            } else {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
                moved = true;
            }
            return summary;
        } catch (IOException | UncheckedIOException e) {
            throw new BackupException(file + " is not a sound perfbox backup: " + e.getMessage());
        } finally {
            if (!moved) {
                LinkSafeFiles.deleteTree(staging);
            }
        }
    }

    private record Expected(long size, String sha256) {
    }

    private static Summary extract(Path file, Path staging) throws IOException {
        Map<String, Expected> expected;
        JsonNode manifest;
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16), 1 << 16)) {
            Tar.Header first = Tar.readHeader(in).orElseThrow(() -> new IOException("the archive is empty"));
            if (!first.name().equals(MANIFEST) || first.type() != '0') {
                throw new IOException("its first entry is not the manifest but " + Tar.printable(first.name()));
            }
            if (first.size() > MAX_MANIFEST_BYTES) {
                throw new IOException("its manifest is too large");
            }
            byte[] manifestBytes = in.readNBytes((int) first.size());
            if (manifestBytes.length != first.size()) {
                throw new IOException("the archive ends inside its manifest (cut short?)");
            }
            skipPadding(in, first.size());
            manifest = JSON.readTree(manifestBytes);
            expected = entries(manifest);
            long total = expected.values().stream().mapToLong(Expected::size).sum();
            long free = Files.getFileStore(staging).getUsableSpace();
            if (total > free) {
                throw new IOException("its entries would take " + total + " bytes, more than the " + free + " free here");
            }
            Set<String> seen = new TreeSet<>();
            while (true) {
                var next = Tar.readHeader(in);
                if (next.isEmpty()) {
                    break;
                }
                Tar.Header h = next.get();
                String name = Tar.printable(h.name());
                if (h.type() != '0' && h.type() != '7') {
                    throw new IOException("entry " + name + " is " + Tar.kind(h.type()) + ", refused: a backup holds regular files only");
                }
                if (!ENTRY.matcher(h.name()).matches()) {
                    throw new IOException("entry " + name + " is at a path a backup never writes, refused");
                }
                Expected want = expected.get(h.name());
                if (want == null) {
                    throw new IOException("entry " + name + " is not in the manifest, refused");
                }
                if (!seen.add(h.name())) {
                    throw new IOException("entry " + name + " comes twice, refused");
                }
                if (h.size() != want.size()) {
                    throw new IOException("entry " + name + " has " + h.size() + " bytes, the manifest says " + want.size());
                }
                Path out = staging.resolve(h.name()).normalize();
                if (!out.startsWith(staging)) {
                    throw new IOException("entry " + name + " points outside the data dir, refused");
                }
                Files.createDirectories(out.getParent());
                MessageDigest digest = sha256();
                try (OutputStream o = new DigestOutputStream(Files.newOutputStream(out, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), digest)) {
                    long copied = copy(in, o, h.size());
                    if (copied != h.size()) {
                        throw new IOException("the archive ends inside entry " + name + " (cut short?)");
                    }
                }
                Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rw-------"));
                skipPadding(in, h.size());
                if (!HexFormat.of().formatHex(digest.digest()).equals(want.sha256())) {
                    throw new IOException("entry " + name + " does not match its SHA-256 in the manifest (damaged or altered)");
                }
            }
            if (!seen.equals(expected.keySet())) {
                Set<String> missing = new TreeSet<>(expected.keySet());
                missing.removeAll(seen);
                throw new IOException("entries the manifest lists are missing: " + Tar.printable(String.join(", ", missing)));
            }
        } catch (ZipException | EOFException e) {
            throw new IOException("it is not a whole gzip'd tar file (" + e.getMessage() + ")", e);
        } catch (JacksonException e) {
            throw new IOException("its manifest is not JSON", e);
        }
        return checkDatabase(staging, expected);
    }

    /** The manifest's entries, checked: a backup's paths, each once, sizes and checksums well formed; the database among them. */
    private static Map<String, Expected> entries(JsonNode manifest) throws IOException {
        if (!FORMAT.equals(manifest.path("format").asText()) || manifest.path("version").asInt(-1) != VERSION) {
            throw new IOException("its manifest is not a " + FORMAT + " of version " + VERSION);
        }
        JsonNode list = manifest.path("entries");
        if (!list.isArray()) {
            throw new IOException("its manifest lists no entries");
        }
        Map<String, Expected> out = new LinkedHashMap<>();
        for (JsonNode e : list) {
            String path = e.path("path").asText("");
            long size = e.path("size").canConvertToLong() ? e.path("size").asLong() : -1;
            String sha = e.path("sha256").asText("");
            if (!ENTRY.matcher(path).matches()) {
                throw new IOException("its manifest names a path a backup never writes: " + Tar.printable(path));
            }
            if (size < 0 || !sha.matches("[0-9a-f]{64}")) {
                throw new IOException("its manifest's entry " + path + " has no size or SHA-256");
            }
            if (out.put(path, new Expected(size, sha)) != null) {
                throw new IOException("its manifest lists " + path + " twice");
            }
        }
        if (!out.containsKey(SqliteJobStore.FILE_NAME)) {
            throw new IOException("it holds no database (" + SqliteJobStore.FILE_NAME + ")");
        }
        return out;
    }

    /** The extracted database is whole, of a schema this perfbox reads, and names every job whose files came with it. */
    private static Summary checkDatabase(Path staging, Map<String, Expected> entries) throws IOException {
        SqliteBackups.Contents contents = SqliteBackups.verify(staging);
        Set<String> jobs = new TreeSet<>(contents.jobIds());
        for (String entry : entries.keySet()) {
            if (entry.startsWith("jobs/") && !jobs.contains(entry.split("/")[1])) {
                throw new IOException("entry " + entry + " belongs to no job of its database");
            }
        }
        long bytes = entries.values().stream().mapToLong(Expected::size).sum();
        return new Summary(jobs.size(), contents.apiKeys(), entries.size(), bytes, contents.schemaVersion());
    }

    // --- helpers ---

    private static long copy(InputStream in, OutputStream out, long size) throws IOException {
        byte[] buf = new byte[1 << 16];
        long left = size;
        while (left > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) {
                break;
            }
            out.write(buf, 0, n);
            left -= n;
        }
        return size - left;
    }

    private static void skipPadding(InputStream in, long size) throws IOException {
        int rest = (int) (size % Tar.BLOCK);
        if (rest != 0 && in.readNBytes(Tar.BLOCK - rest).length != Tar.BLOCK - rest) {
            throw new EOFException("the archive ends inside an entry's padding");
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest d = sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                d.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(d.digest());
    }
}
