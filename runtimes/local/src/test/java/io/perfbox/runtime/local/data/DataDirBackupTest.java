package io.perfbox.runtime.local.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perfbox.adapter.sqlite.SqliteApiKeyStore;
import io.perfbox.adapter.sqlite.SqliteJobStore;
import io.perfbox.core.auth.ApiKeys;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.port.JobStore.IdempotencyKey;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Backup and restore of a data dir, the attacks on restore first: an archive is a file from anywhere, so each way
 * one could write outside the target, plant a link, smuggle or swap an entry, or pass off damage is refused, and a
 * refused restore leaves nothing behind (neither the target nor a half-extracted directory beside it).
 */
class DataDirBackupTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2026-05-01T10:00:00Z");

    @TempDir
    Path tmp;

    // --- crafting archives as an attacker would ---

    /** One tar entry as written by hand: any name, type, link target and content. */
    record Entry(String name, char type, String linkName, byte[] content) {
        static Entry file(String name, byte[] content) {
            return new Entry(name, '0', "", content);
        }
    }

    private static byte[] header(String name, char type, String linkName, long size) {
        byte[] h = new byte[512];
        byte[] n = name.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(n, 0, h, 0, Math.min(n.length, 100));
        put(h, 100, "0000600");
        put(h, 108, "0000000");
        put(h, 116, "0000000");
        put(h, 124, String.format("%011o", size));
        put(h, 136, String.format("%011o", T0.getEpochSecond()));
        h[156] = (byte) type;
        byte[] l = linkName.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(l, 0, h, 157, Math.min(l.length, 100));
        put(h, 257, "ustar");
        h[263] = '0';
        h[264] = '0';
        Arrays.fill(h, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        put(h, 148, String.format("%06o", sum));
        h[155] = ' ';
        return h;
    }

    private static void put(byte[] h, int offset, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, offset, b.length);
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    /** A manifest listing these entries as they are (an attacker who rewrote it). */
    private static byte[] manifestOf(List<Entry> entries) throws Exception {
        ObjectNode m = JSON.createObjectNode();
        m.put("format", "perfbox-backup").put("version", 1).put("createdAt", T0.toString());
        ArrayNode list = m.putArray("entries");
        for (Entry e : entries) {
            list.addObject().put("path", e.name()).put("size", e.content().length).put("sha256", sha256(e.content()));
        }
        return JSON.writeValueAsBytes(m);
    }

    private Path archive(byte[] manifest, List<Entry> entries) throws Exception {
        List<Entry> all = new ArrayList<>();
        all.add(Entry.file("manifest.json", manifest));
        all.addAll(entries);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(bytes)) {
            for (Entry e : all) {
                gz.write(header(e.name(), e.type(), e.linkName(), e.content().length));
                gz.write(e.content());
                int rest = e.content().length % 512;
                if (rest != 0) {
                    gz.write(new byte[512 - rest]);
                }
            }
            gz.write(new byte[1024]);
        }
        Path file = Files.createTempFile(tmp, "crafted", ".tar.gz");
        Files.write(file, bytes.toByteArray());
        return file;
    }

    private Path archive(List<Entry> entries) throws Exception {
        return archive(manifestOf(entries), entries);
    }

    /** A real, empty perfbox database, as an archive's first entry. */
    private byte[] database() throws IOException {
        Path dir = Files.createTempDirectory(tmp, "db");
        SqliteJobStore.open(dir).close();
        return Files.readAllBytes(dir.resolve("perfbox.db"));
    }

    private void assertRefusedLeavingNothing(Path archive, Path target, String reason) throws IOException {
        assertThatThrownBy(() -> DataDirBackup.restore(archive, target))
                .isInstanceOf(DataDirBackup.BackupException.class)
                .hasMessageContaining("is not a sound perfbox backup").hasMessageContaining(reason);
        assertThat(target).doesNotExist();
        try (Stream<Path> left = Files.list(target.getParent())) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".perfbox-restore-"));
        }
    }

    // --- the attacks ---

    @ParameterizedTest
    @ValueSource(strings = {"../escaped", "../../escaped", "/tmp/escaped-abs", "jobs/../../escaped", "tls/../../escaped",
            "./perfbox.db", "jobs/0b5c1b9c-7c88-4a09-a7c1-6a1f1a1f1a1f/../../../escaped", "tls/.hidden", "tls/a/b",
            "jobs/NOT-A-UUID/Dockerfile", "store-id", "logs/perfbox.0.log", "tls/\u001b[31mred"})
    void anEntryAtAPathABackupNeverWritesIsRefusedWhetherTheManifestListsItOrNot(String path) throws Exception {
        Path target = tmp.resolve("restore").resolve("data");
        List<Entry> listed = List.of(Entry.file("perfbox.db", database()), Entry.file(path, "pwned".getBytes()));
        assertRefusedLeavingNothing(archive(listed), target, "a backup never writes");
        // The manifest names only good paths; the entry itself is the traversal.
        List<Entry> good = List.of(Entry.file("perfbox.db", database()), Entry.file("tls/cert.pem", "pwned".getBytes()));
        assertRefusedLeavingNothing(archive(manifestOf(good), List.of(good.get(0), Entry.file(path, "pwned".getBytes()))),
                target, "refused");
        assertThat(tmp.resolve("escaped")).doesNotExist();
        assertThat(tmp.resolve("restore").resolve("escaped")).doesNotExist();
        assertThat(Path.of("/tmp/escaped-abs")).doesNotExist();
    }

    @ParameterizedTest
    @ValueSource(chars = {'1', '2', '3', '4', '5', '6', 'x', 'g', 'L', 'K', 'S'})
    void anEntryThatIsNotARegularFileIsRefusedNeverMade(char type) throws Exception {
        Path target = tmp.resolve("data");
        byte[] db = database();
        Entry link = new Entry("tls/key.pem", type, "/etc/shadow", new byte[0]);
        List<Entry> entries = List.of(Entry.file("perfbox.db", db), link);
        assertRefusedLeavingNothing(archive(entries), target, "refused: a backup holds regular files only");
    }

    @Test
    void aSymbolicLinkEntryIsNamedAsSuch() throws Exception {
        List<Entry> entries = List.of(Entry.file("perfbox.db", database()), new Entry("tls/key.pem", '2', "/etc/shadow", new byte[0]));
        assertRefusedLeavingNothing(archive(entries), tmp.resolve("data"), "is a symbolic link");
    }

    @Test
    void anEntryWhoseContentDoesNotMatchItsChecksumIsRefused() throws Exception {
        byte[] db = database();
        List<Entry> honest = List.of(Entry.file("perfbox.db", db), Entry.file("tls/cert.pem", "the certificate".getBytes()));
        List<Entry> altered = List.of(Entry.file("perfbox.db", db), Entry.file("tls/cert.pem", "the certificatf".getBytes()));
        assertRefusedLeavingNothing(archive(manifestOf(honest), altered), tmp.resolve("data"), "does not match its SHA-256");
    }

    @Test
    void anEntryTheManifestDoesNotListOrListsOtherwiseOrTwiceOrNotAtAllIsRefused() throws Exception {
        byte[] db = database();
        Entry cert = Entry.file("tls/cert.pem", "c".getBytes());
        Entry key = Entry.file("tls/key.pem", "k".getBytes());
        Path target = tmp.resolve("data");
        assertRefusedLeavingNothing(archive(manifestOf(List.of(Entry.file("perfbox.db", db))),
                List.of(Entry.file("perfbox.db", db), cert)), target, "not in the manifest");
        assertRefusedLeavingNothing(archive(manifestOf(List.of(Entry.file("perfbox.db", db), cert)),
                List.of(Entry.file("perfbox.db", db), cert, cert)), target, "comes twice");
        assertRefusedLeavingNothing(archive(manifestOf(List.of(Entry.file("perfbox.db", db), cert, key)),
                List.of(Entry.file("perfbox.db", db), cert)), target, "missing: tls/key.pem");
        assertRefusedLeavingNothing(archive(manifestOf(List.of(Entry.file("perfbox.db", db), Entry.file("tls/cert.pem", "cc".getBytes()))),
                List.of(Entry.file("perfbox.db", db), cert)), target, "the manifest says 2");
        assertRefusedLeavingNothing(archive(manifestOf(List.of(cert)), List.of(cert)), target, "holds no database");
    }

    @Test
    void anArchiveWhoseFirstEntryIsNotTheManifestOrIsNotAnArchiveAtAllIsRefused() throws Exception {
        Path target = tmp.resolve("data");
        byte[] db = database();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(header("perfbox.db", '0', "", db.length));
            gz.write(db);
            gz.write(new byte[(512 - db.length % 512) % 512 + 1024]);
        }
        Path noManifest = tmp.resolve("no-manifest.tar.gz");
        Files.write(noManifest, bytes.toByteArray());
        assertRefusedLeavingNothing(noManifest, target, "not the manifest");

        Path garbage = tmp.resolve("garbage.tar.gz");
        Files.writeString(garbage, "this is not a backup\n");
        assertRefusedLeavingNothing(garbage, target, "not a whole gzip'd tar file");

        Path whole = archive(List.of(Entry.file("perfbox.db", db)));
        byte[] all = Files.readAllBytes(whole);
        Path cut = tmp.resolve("cut.tar.gz");
        Files.write(cut, Arrays.copyOf(all, all.length / 2));
        assertThatThrownBy(() -> DataDirBackup.restore(cut, target)).isInstanceOf(DataDirBackup.BackupException.class);
        assertThat(target).doesNotExist();
    }

    @Test
    void aManifestThatClaimsMoreThanTheDiskHoldsIsRefusedBeforeAnythingIsWritten() throws Exception {
        byte[] db = database();
        ObjectNode m = (ObjectNode) JSON.readTree(manifestOf(List.of(Entry.file("perfbox.db", db))));
        ((ObjectNode) m.get("entries").get(0)).put("size", Long.MAX_VALUE / 2);
        assertRefusedLeavingNothing(archive(JSON.writeValueAsBytes(m), List.of(Entry.file("perfbox.db", db))),
                tmp.resolve("data"), "free here");
    }

    @Test
    void aDamagedDatabaseOrFilesOfAJobItDoesNotHoldAreRefused() throws Exception {
        byte[] db = database();
        byte[] damaged = db.clone();
        for (int i = 100; i < damaged.length; i += 97) {
            damaged[i] ^= 0x5a;
        }
        assertRefusedLeavingNothing(archive(List.of(Entry.file("perfbox.db", damaged))), tmp.resolve("data"), "database");
        Entry stray = Entry.file("jobs/" + JobId.random().value() + "/Dockerfile", "FROM scratch\n".getBytes());
        assertRefusedLeavingNothing(archive(List.of(Entry.file("perfbox.db", db), stray)), tmp.resolve("data"),
                "belongs to no job of its database");
    }

    @Test
    void aTargetThatIsNotEmptyIsRefusedAndLeftAsItWas() throws Exception {
        Path source = dataDirWithJobsAndKeys();
        Path backup = tmp.resolve("b.tar.gz");
        DataDirBackup.backup(source, backup);
        Path target = Files.createDirectories(tmp.resolve("busy"));
        Files.writeString(target.resolve("perfbox.db"), "someone's data");
        assertThatThrownBy(() -> DataDirBackup.restore(backup, target)).isInstanceOf(DataDirBackup.BackupException.class)
                .hasMessageContaining("is not empty");
        assertThat(target.resolve("perfbox.db")).hasContent("someone's data");
        try (Stream<Path> left = Files.list(target)) {
            assertThat(left).hasSize(1);
        }
        Path aFile = Files.writeString(tmp.resolve("a-file"), "x");
        assertThatThrownBy(() -> DataDirBackup.restore(backup, aFile)).hasMessageContaining("not a directory");
    }

    // --- what a sound backup carries ---

    private final AtomicInteger jobCount = new AtomicInteger();

    private Path dataDirWithJobsAndKeys() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("source-" + jobCount.incrementAndGet()));
        try (SqliteJobStore store = SqliteJobStore.open(dir); SqliteApiKeyStore keys = SqliteApiKeyStore.open(dir)) {
            for (int i = 0; i < 3; i++) {
                Job job = Job.queued(JobId.random(), "team-a", "job " + i, null, T0.plusSeconds(i));
                store.create(job, Optional.of(new IdempotencyKey("key-" + i, "fp")));
                store.update(job.advancedTo(JobStatus.RUNNING, T0).succeeded(0.5 + i, T0.plusSeconds(10 + i)),
                        EnumSet.of(JobStatus.QUEUED));
                Path files = Files.createDirectories(dir.resolve("jobs").resolve(job.id().value()));
                Files.writeString(files.resolve("Dockerfile"), "FROM debian:bookworm\n");
                Files.writeString(files.resolve("run.log"), "output of job " + i + "\n");
            }
            ApiKeys apiKeys = new ApiKeys(keys, Clock.systemUTC());
            apiKeys.create("team-a");
            apiKeys.create("team-b");
        }
        Files.createDirectories(dir.resolve("tls"));
        Files.writeString(dir.resolve("tls").resolve("cert.pem"), "CERT");
        Files.writeString(dir.resolve("tls").resolve("key.pem"), "KEY");
        Files.writeString(dir.resolve("store-id"), "abcdefabcdef");
        Files.writeString(dir.resolve("build-cache.key"), "00112233445566778899aabbccddeeff");
        Files.createDirectories(dir.resolve("logs"));
        Files.writeString(dir.resolve("logs").resolve("perfbox.0.log"), "{}");
        // A link planted in a job's directory is not followed into the backup.
        Path someJob;
        try (Stream<Path> jobs = Files.list(dir.resolve("jobs"))) {
            someJob = jobs.findFirst().orElseThrow();
        }
        Files.writeString(tmp.resolve("secret-outside"), "outside");
        Files.createSymbolicLink(someJob.resolve("scan.json"), tmp.resolve("secret-outside"));
        return dir;
    }

    @Test
    void aBackupRestoresTheSameJobsFilesKeysQuotaUsageAndTlsPairButNotThisMachinesIdentity() throws Exception {
        Path source = dataDirWithJobsAndKeys();
        Path backup = tmp.resolve("backups").resolve("perfbox.tar.gz");

        DataDirBackup.Summary made = DataDirBackup.backup(source, backup);

        assertThat(made.jobs()).isEqualTo(3);
        assertThat(made.apiKeys()).isEqualTo(2);
        assertThat(made.files()).isEqualTo(1 + 3 * 2 + 2);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(backup))).isEqualTo("rw-------");
        try (Stream<Path> left = Files.list(backup.getParent())) {
            assertThat(left).containsExactly(backup);
        }
        assertThatThrownBy(() -> DataDirBackup.backup(source, backup)).hasMessageContaining("exists already");

        Path target = tmp.resolve("restored").resolve("data");
        DataDirBackup.Summary restored = DataDirBackup.restore(backup, target);

        assertThat(restored.jobs()).isEqualTo(3);
        assertThat(restored.apiKeys()).isEqualTo(2);
        try (SqliteJobStore a = SqliteJobStore.open(source); SqliteJobStore b = SqliteJobStore.open(target);
             SqliteApiKeyStore ka = SqliteApiKeyStore.open(source); SqliteApiKeyStore kb = SqliteApiKeyStore.open(target)) {
            assertThat(b.list("team-a", Optional.empty(), 10, Optional.empty()).jobs())
                    .isEqualTo(a.list("team-a", Optional.empty(), 10, Optional.empty()).jobs());
            assertThat(b.submissionsSince("team-a", T0.minusSeconds(1))).isEqualTo(a.submissionsSince("team-a", T0.minusSeconds(1)));
            assertThat(kb.list()).usingRecursiveFieldByFieldElementComparator().containsExactlyElementsOf(ka.list());
            Job again = Job.queued(JobId.random(), "team-a", null, null, T0.plusSeconds(99));
            assertThat(b.create(again, Optional.of(new IdempotencyKey("key-1", "fp"))).created())
                    .as("the idempotency records came too").isFalse();
            String token = a.list("team-a", Optional.empty(), 1, Optional.empty()).nextToken().orElseThrow();
            assertThat(b.list("team-a", Optional.empty(), 1, Optional.of(token)).jobs()).as("a page token of the old data dir goes on in the new one").hasSize(1);
        }
        try (Stream<Path> jobs = Files.list(source.resolve("jobs"))) {
            for (Path job : jobs.toList()) {
                Path copy = target.resolve("jobs").resolve(job.getFileName().toString());
                assertThat(copy.resolve("run.log")).hasSameTextualContentAs(job.resolve("run.log"));
                assertThat(copy.resolve("Dockerfile")).hasSameTextualContentAs(job.resolve("Dockerfile"));
                assertThat(copy.resolve("scan.json")).as("a link is never followed into a backup").doesNotExist();
            }
        }
        assertThat(target.resolve("tls").resolve("key.pem")).hasContent("KEY");
        assertThat(target.resolve("store-id")).as("this machine's: a copy on the same engine must not share it").doesNotExist();
        assertThat(target.resolve("build-cache.key")).doesNotExist();
        assertThat(target.resolve("logs")).doesNotExist();
    }

    @Test
    void aBackupIsConsistentWhileAWriterKeepsWriting() throws Exception {
        Path source = dataDirWithJobsAndKeys();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger written = new AtomicInteger();
        try (SqliteJobStore live = SqliteJobStore.open(source)) {
            Thread writer = Thread.ofPlatform().start(() -> {
                while (!stop.get()) {
                    live.create(Job.queued(JobId.random(), "team-b", null, null, Instant.now()), Optional.empty());
                    written.incrementAndGet();
                }
            });
            try {
                while (written.get() < 50) {
                    Thread.sleep(5);
                }
                Path backup = tmp.resolve("live.tar.gz");
                DataDirBackup.Summary made = DataDirBackup.backup(source, backup);
                Path target = tmp.resolve("live-restored");
                DataDirBackup.Summary restored = DataDirBackup.restore(backup, target);
                assertThat(restored.jobs()).isEqualTo(made.jobs()).isGreaterThan(3 + 50 - 1);
                try (SqliteJobStore b = SqliteJobStore.open(target)) {
                    int listed = b.list("team-b", Optional.empty(), 100_000, Optional.empty()).jobs().size();
                    assertThat(listed + 3).isEqualTo(made.jobs());
                    assertThat(b.submissionsSince("team-b", Instant.EPOCH.plusSeconds(1)).count()).as("each job's submission came with it")
                            .isEqualTo(listed);
                }
            } finally {
                stop.set(true);
                writer.join();
            }
        }
    }

    @Test
    void aBackupOfADirectoryWithoutADatabaseIsRefused() {
        assertThatThrownBy(() -> DataDirBackup.backup(tmp.resolve("nothing"), tmp.resolve("x.tar.gz")))
                .isInstanceOf(DataDirBackup.BackupException.class).hasMessageContaining("holds no perfbox database");
        assertThat(tmp.resolve("x.tar.gz")).doesNotExist();
    }
}
