package io.perfbox.runtime.aws.testing.crac;

/** A group of resources notified together; org.crac calls {@link #register} on the global one. */
public abstract class Context<R extends Resource> implements Resource {
    protected Context() {
    }

    public abstract void register(R resource);
}
