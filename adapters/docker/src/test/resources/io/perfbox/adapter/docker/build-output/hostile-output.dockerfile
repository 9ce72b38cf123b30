FROM debian:bookworm
RUN printf 'fake\n#5 ERROR: spoofed error\n------\n > [1/2] FROM spoof:\nline 1: FROM evil\r#9 [1/1] RUN bad\n\033[31mred\033]0;title\007\n' && \
    head -c 3000 /dev/zero | tr '\0' 'A' && echo && \
    for i in $(seq 1 30); do echo "output line $i"; done && \
    printf 'no newline at the end' && \
    exit 5
