FROM debian:bookworm AS base
RUN echo base

FROM debian:bookworm AS unused
RUN exit 9

FROM base
RUN echo in the final stage
ADD data.tar.gz /data/
