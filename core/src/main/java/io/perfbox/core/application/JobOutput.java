package io.perfbox.core.application;

import io.perfbox.core.domain.Job;
import java.util.List;

/**
 * A read of a job's output as one text, the build's then the run's, from an offset: byte counts of everything the
 * steps produced (dropped bytes count too), build first. {@code pieces}: the bytes read, in order, each a run of
 * kept bytes or a count of dropped ones that were skipped; {@code next}: where the next read starts; {@code ended}:
 * the job has ended and nothing more will come. {@code job} is read before the logs.
 */
public record JobOutput(Job job, List<Piece> pieces, long offset, long next, boolean ended) {
    public JobOutput {
        pieces = List.copyOf(pieces);
    }

    public sealed interface Piece permits Text, Omitted {
    }

    /** Kept bytes, starting at {@code offset}. */
    public record Text(long offset, byte[] bytes) implements Piece {
    }

    /** Dropped bytes (the middle of a bounded log), skipped: the read goes on at {@code offset + bytes}. */
    public record Omitted(long offset, long bytes) implements Piece {
    }

    public long omitted() {
        return pieces.stream().mapToLong(p -> p instanceof Omitted o ? o.bytes() : 0).sum();
    }

    public boolean isEmpty() {
        return pieces.isEmpty();
    }
}
