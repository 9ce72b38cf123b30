package io.perfbox.testing.fakes;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/** A clock whose every reading is one second after the previous one, so recorded times can be checked for order. */
public class SteppingClock extends Clock {
    private final AtomicReference<Instant> now;

    public SteppingClock(Instant start) {
        now = new AtomicReference<>(start);
    }

    @Override
    public Instant instant() {
        return now.updateAndGet(t -> t.plusSeconds(1));
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
