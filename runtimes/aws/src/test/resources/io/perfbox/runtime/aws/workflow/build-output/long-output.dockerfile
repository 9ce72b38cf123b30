FROM debian:bookworm AS build
RUN seq 1 30 && false

FROM debian:bookworm
COPY --from=build /etc/hostname /hostname
