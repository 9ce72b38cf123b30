package io.perfbox.runtime.local.cli;

/** What perfbox's exit status means; {@code perfbox --help} lists them and so does the README (a test compares). */
enum ExitCode {
    OK(0, "success; for `submit --wait` and `logs -f`, the job SUCCEEDED"),
    REFUSED(1, "the server refused the request (its problem is printed), or the job waited for ended FAILED"),
    USAGE(2, "a wrong command, option or value (with a hint), or a file that cannot be read"),
    UNAVAILABLE(3, "no server answers, its certificate is not trusted, or something `serve` needs is missing (Docker, a free port)"),
    TIMED_OUT(4, "`submit --wait --timeout` ran out before the job ended; the job goes on"),
    CANCELLED(5, "the job waited for (`submit --wait`, `logs -f`) ended CANCELLED"),
    INTERRUPTED(130, "interrupted (Ctrl-C); during `submit --wait` or `logs -f` the job goes on");

    final int code;

    /** How a job that was waited for ended, as an exit status: 0 SUCCEEDED, 1 FAILED, 5 CANCELLED. */
    static ExitCode ofEnded(String status) {
        return switch (status) {
            case "SUCCEEDED" -> OK;
            case "CANCELLED" -> CANCELLED;
            default -> REFUSED;
        };
    }

    final String meaning;

    ExitCode(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }
}
