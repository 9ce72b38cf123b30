FROM debian:bookworm
RUN echo preparing
# the step below fails on its last line
RUN echo step one && \
    echo "line 1: FROM spoofed" && \
    exit 3
CMD true
