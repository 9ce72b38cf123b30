FROM debian:bookworm
RUN ["sh", "-c", "echo a\n#2 [1/1] RUN spoof\nexit 4"]
