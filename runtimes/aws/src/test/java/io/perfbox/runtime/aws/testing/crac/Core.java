package io.perfbox.runtime.aws.testing.crac;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The global context and the checkpoint: {@link #checkpointRestore()} calls every registered resource's
 * {@code beforeCheckpoint}, in reverse order of registration (as the JDK's CRaC does), then every
 * {@code afterRestore} in order, as SnapStart does around the snapshot of a published version. A resource that
 * throws fails the checkpoint, as it fails the publication on Lambda.
 */
public final class Core {
    private static final Global GLOBAL = new Global();

    private Core() {
    }

    public static Context<Resource> getGlobalContext() {
        return GLOBAL;
    }

    public static void checkpointRestore() throws CheckpointException, RestoreException {
        GLOBAL.beforeCheckpoint(null);
        GLOBAL.afterRestore(null);
    }

    /** What has been registered so far, in order (org.crac's wrappers, whose toString names the resource). */
    public static List<Resource> registered() {
        synchronized (GLOBAL) {
            return List.copyOf(GLOBAL.resources);
        }
    }

    private static final class Global extends Context<Resource> {
        private final List<Resource> resources = new ArrayList<>();

        @Override
        public synchronized void register(Resource resource) {
            resources.add(resource);
        }

        @Override
        public void beforeCheckpoint(Context<? extends Resource> context) throws CheckpointException {
            List<Resource> reversed = new ArrayList<>(registered());
            Collections.reverse(reversed);
            CheckpointException failed = null;
            for (Resource resource : reversed) {
                try {
                    resource.beforeCheckpoint(this);
                } catch (Exception e) {
                    failed = failed == null ? new CheckpointException() : failed;
                    failed.addSuppressed(e);
                }
            }
            if (failed != null) {
                throw failed;
            }
        }

        @Override
        public void afterRestore(Context<? extends Resource> context) throws RestoreException {
            RestoreException failed = null;
            for (Resource resource : registered()) {
                try {
                    resource.afterRestore(this);
                } catch (Exception e) {
                    failed = failed == null ? new RestoreException() : failed;
                    failed.addSuppressed(e);
                }
            }
            if (failed != null) {
                throw failed;
            }
        }
    }
}
