package io.perfbox.bench;

/**
 * One line of the closing summary: what perfbox measured, the baseline measured in the same run, their ratio, the
 * target and whether it was met. A benchmark that could not complete, or whose check failed (a lost job, a wrong
 * page), is {@link Verdict#FAILED}, which is not the same as a missed target.
 */
record Outcome(String id, String name, String measured, String baseline, String ratio, String target, Verdict verdict,
               String note) {

    enum Verdict {
        MET("met"), MISSED("MISSED"), FAILED("FAILED"), NO_TARGET("-");

        final String label;

        Verdict(String label) {
            this.label = label;
        }

        static Verdict of(boolean met) {
            return met ? MET : MISSED;
        }
    }

    static Outcome failed(String id, String name, String why) {
        return new Outcome(id, name, "-", "-", "-", "-", Verdict.FAILED, why);
    }
}
