package io.perfbox.adapter.aws;

import java.time.Duration;

/** A wait between looks at a resource AWS is still settling; tests pass one that records instead of sleeping. */
@FunctionalInterface
public interface Pause {
    void pause(Duration d);

    /** Sleeps; an interrupt ends the wait with an error naming what was awaited. */
    static Pause sleeping(String awaited) {
        return d -> {
            try {
                Thread.sleep(d);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + awaited, e);
            }
        };
    }
}
