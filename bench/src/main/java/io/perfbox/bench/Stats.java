package io.perfbox.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Order statistics of a sample. */
record Stats(List<Double> sorted) {
    static Stats of(List<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no values measured");
        }
        List<Double> s = new ArrayList<>(values);
        Collections.sort(s);
        return new Stats(List.copyOf(s));
    }

    double min() {
        return sorted.get(0);
    }

    double max() {
        return sorted.get(sorted.size() - 1);
    }

    /** The middle value; the mean of the two middle ones for an even count. */
    double median() {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** Nearest-rank percentile. */
    double percentile(double p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    int count() {
        return sorted.size();
    }

    String minMedMax(String unit) {
        return minMedMax(unit, 3);
    }

    String minMedMax(String unit, int decimals) {
        String f = "%." + decimals + "f";
        return String.format("min " + f + " / median " + f + " / max " + f + " %s (n=%d)", min(), median(), max(), unit,
                count());
    }
}
