package io.perfbox.testing.fakes;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Holds one call of a scripted fake until the test releases it, so a test can act (cancel, delete, interrupt)
 * while a pipeline step is under way. Waiting at the gate is interruptible, as the real adapters' steps are.
 */
public final class Gate {
    private static final long REACH_TIMEOUT_SECONDS = 10;

    private final CountDownLatch reached = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);

    /** Blocks the test until the held call has arrived at the gate. */
    public void awaitReached() throws InterruptedException {
        if (!reached.await(REACH_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            throw new AssertionError("the held call did not happen within " + REACH_TIMEOUT_SECONDS + " s");
        }
    }

    /** Lets the held call go on to return (or throw) what the fake was told to. */
    public void release() {
        released.countDown();
    }

    void pass() throws InterruptedException {
        reached.countDown();
        released.await();
    }
}
