FROM debian:bookworm AS builder
WORKDIR /src
RUN echo building && \
    echo compiled > out.txt

FROM debian:bookworm
COPY --from=builder /src/out.txt /out.txt
RUN cat /out.txt && \
  # a comment inside the continuation
  false
