FROM debian:bookworm
RUN echo preparing
RUN echo "step one" && \
    echo "to stderr" >&2 && \
    exit 3
