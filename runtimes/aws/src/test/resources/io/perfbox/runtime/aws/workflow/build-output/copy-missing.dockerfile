FROM debian:bookworm
WORKDIR /app
COPY settings.json /app/
