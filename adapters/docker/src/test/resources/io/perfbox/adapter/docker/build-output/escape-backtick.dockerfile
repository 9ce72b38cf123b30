# escape=`
FROM debian:bookworm
ENV NAME=world
run echo hello $NAME && `
    exit 6
