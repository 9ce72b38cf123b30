package io.perfbox.runtime.local.observe;

import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A value that costs something to learn (a process to run, a directory to walk, an engine to ask), learned again at
 * most once per {@code maxAge}: however many requests ask at once, one of them refreshes it and the others answer the
 * last value at once, so a flood of scrapes or probes costs one refresh per interval. Only the very first ask waits.
 */
final class Sampled<T> {
    private final Supplier<T> source;
    private final long maxAgeNanos;
    private final LongSupplier nanoClock;
    private final ReentrantLock refreshing = new ReentrantLock();
    private volatile T value;
    private volatile long takenAt;
    private volatile boolean taken;

    Sampled(Supplier<T> source, Duration maxAge) {
        this(source, maxAge, System::nanoTime);
    }

    Sampled(Supplier<T> source, Duration maxAge, LongSupplier nanoClock) {
        this.source = source;
        this.maxAgeNanos = maxAge.toNanos();
        this.nanoClock = nanoClock;
    }

    T get() {
        if (taken && nanoClock.getAsLong() - takenAt < maxAgeNanos) {
            return value;
        }
        if (taken) {
            if (!refreshing.tryLock()) {
                return value; // another request is refreshing it
            }
        } else {
            refreshing.lock();
        }
        try {
            if (!taken || nanoClock.getAsLong() - takenAt >= maxAgeNanos) {
                value = source.get();
                takenAt = nanoClock.getAsLong();
                taken = true;
            }
            return value;
        } finally {
            refreshing.unlock();
        }
    }
}
