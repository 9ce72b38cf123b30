FROM debian:bookworm
WORKDIR /app
ENV GREETING=hello
COPY settings.json /app/
RUN true
