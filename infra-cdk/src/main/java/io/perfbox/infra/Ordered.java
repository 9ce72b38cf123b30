package io.perfbox.infra;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Maps whose keys keep the order they are written in. Map.of's order changes from one JVM to the next, which would
 * reorder keys in the template at every synth and make CloudFormation see changes that are not there.
 */
final class Ordered {
    private Ordered() {
    }

    static Map<String, Object> map(Object... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("keys and values must come in pairs");
        }
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
