package io.perfbox.runtime.aws.testing.crac;

/** What org.crac's resource wrappers implement (by reflection, through a proxy). */
public interface Resource {
    void beforeCheckpoint(Context<? extends Resource> context) throws Exception;

    void afterRestore(Context<? extends Resource> context) throws Exception;
}
