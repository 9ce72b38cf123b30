package io.perfbox.runtime.local.cli;

/** What perfbox's exit status means; {@code perfbox --help} lists them and so does the README (a test compares). */
enum ExitCode {
    OK(0, "success; for `submit --wait`, the job SUCCEEDED"),
    REFUSED(1, "the server refused the request (its problem is printed), or the job waited for ended FAILED or CANCELLED"),
    USAGE(2, "a wrong command, option or value (with a hint), or a file that cannot be read"),
    UNAVAILABLE(3, "no server answers, its certificate is not trusted, or something `serve` needs is missing (Docker, a free port)"),
    TIMED_OUT(4, "`submit --wait --timeout` ran out before the job ended; the job goes on"),
    INTERRUPTED(130, "interrupted (Ctrl-C)");

    final int code;
    final String meaning;

    ExitCode(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }
}
