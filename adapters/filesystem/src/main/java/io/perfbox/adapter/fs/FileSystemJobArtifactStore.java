package io.perfbox.adapter.fs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.ScanReport;
import io.perfbox.core.port.JobArtifactStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/** Keeps a job's logs and scan report as JSON files in {@code <root>/<jobId>/}. */
public class FileSystemJobArtifactStore implements JobArtifactStore {
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private final Path root;

    public FileSystemJobArtifactStore(Path root) {
        this.root = root;
    }

    private Path dirOf(JobId id) {
        return root.resolve(id.value());
    }

    @Override
    public void saveLog(JobId id, LogKind kind, CapturedLog log) {
        write(dirOf(id).resolve(kind.name().toLowerCase(Locale.ROOT) + "-log.json"), log);
    }

    @Override
    public Optional<CapturedLog> log(JobId id, LogKind kind) {
        return read(dirOf(id).resolve(kind.name().toLowerCase(Locale.ROOT) + "-log.json"), CapturedLog.class);
    }

    @Override
    public void saveScanReport(JobId id, ScanReport report) {
        write(dirOf(id).resolve("scan.json"), report);
    }

    @Override
    public Optional<ScanReport> scanReport(JobId id) {
        return read(dirOf(id).resolve("scan.json"), ScanReport.class);
    }

    @Override
    public void deleteAll(JobId id) {
        Files2.deleteTree(dirOf(id));
    }

    private static void write(Path file, Object value) {
        try {
            Files2.writeAtomically(file, JSON.writeValueAsBytes(value));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static <T> Optional<T> read(Path file, Class<T> type) {
        try {
            return Optional.of(JSON.readValue(file.toFile(), type));
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
    }
}
