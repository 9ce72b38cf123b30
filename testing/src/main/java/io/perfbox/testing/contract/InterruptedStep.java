package io.perfbox.testing.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.port.LogSink;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A step (a build, a run) waited for in a thread of its own, interrupted once its output says it started: what the
 * contracts of the builder and the runner both promise, that the interrupt reaches the waiting caller as an
 * {@link InterruptedException} and that the step stops.
 */
final class InterruptedStep {
    /** The step, given the sink its output goes to. */
    interface Step {
        Object start(LogSink sink) throws Exception;
    }

    private InterruptedStep() {
    }

    /**
     * Starts {@code step}, waits up to {@code startWithin} for {@code started} in its output, interrupts the waiting
     * thread and asserts it ends within {@code endWithin} with an {@link InterruptedException}.
     */
    static void interruptOnce(Step step, String started, Duration startWithin, Duration endWithin) throws Exception {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        LogSink sink = (b, off, len) -> {
            synchronized (seen) {
                seen.write(b, off, len);
            }
        };
        AtomicReference<Object> ended = new AtomicReference<>();
        Thread waiting = new Thread(() -> {
            try {
                ended.set(step.start(sink));
            } catch (Throwable e) {
                ended.set(e);
            }
        });
        waiting.start();
        // The output reaches the sink while the step goes on: it has started when it says so.
        long deadline = System.nanoTime() + startWithin.toNanos();
        while (!text(seen).contains(started) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(text(seen)).contains(started);
        waiting.interrupt();
        waiting.join(endWithin.toMillis());
        assertThat(waiting.isAlive()).isFalse();
        assertThat(ended.get()).isInstanceOf(InterruptedException.class);
    }

    private static String text(ByteArrayOutputStream seen) {
        synchronized (seen) {
            return seen.toString(StandardCharsets.UTF_8);
        }
    }
}
