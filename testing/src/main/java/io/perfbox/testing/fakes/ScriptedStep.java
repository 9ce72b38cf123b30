package io.perfbox.testing.fakes;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The part every scripted adapter shares: the test says what the next calls return or throw, and may hold
 * the next call at a {@link Gate}.
 */
public abstract class ScriptedStep<T> {

    @FunctionalInterface
    private interface Answer<T> {
        T give();
    }

    private volatile Answer<T> answer;
    private final AtomicReference<Gate> nextCallGate = new AtomicReference<>();

    protected ScriptedStep(T initialOutcome) {
        answer = () -> initialOutcome;
    }

    /** Every following call returns {@code outcome}. */
    public void willReturn(T outcome) {
        answer = () -> outcome;
    }

    /** Every following call throws {@code failure}, as an adapter failing in an unplanned way would. */
    public void willThrow(RuntimeException failure) {
        answer = () -> {
            throw failure;
        };
    }

    /** The next call waits at the returned gate until the test releases it (or its thread is interrupted). */
    public Gate holdNextCall() {
        Gate gate = new Gate();
        nextCallGate.set(gate);
        return gate;
    }

    /** Called by the fake's port method: waits at the gate if one is set, then answers. */
    protected T play() throws InterruptedException {
        Gate gate = nextCallGate.getAndSet(null);
        if (gate != null) {
            gate.pass();
        }
        return answer.give();
    }
}
