package io.perfbox.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Order statistics of a sample. */
record Stats(List<Double> sorted) {
    static Stats of(List<Double> values) {
        List<Double> s = new ArrayList<>(values);
        Collections.sort(s);
        return new Stats(s);
    }

    double min() {
        return sorted.get(0);
    }

    double max() {
        return sorted.get(sorted.size() - 1);
    }

    double median() {
        return percentile(50);
    }

    double percentile(double p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    String minMedMax(String unit) {
        return String.format("min %.3f / median %.3f / max %.3f %s", min(), median(), max(), unit);
    }
}
