package io.perfbox.adapter.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serial;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Docker Engine API over the engine's unix socket, in process: a call costs a connection to a local socket
 * instead of starting a docker CLI process (a fork, an exec and the CLI's own start-up, tens of milliseconds).
 * HTTP/1.1, one connection per call; bodies delimited by Content-Length, chunked, or the end of the connection.
 * Calls are interruptible (the connection is closed and {@link InterruptedException} thrown) and bounded in time.
 */
public final class DockerSocketClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Far above any answer perfbox reads whole (inspect, errors); streams are read through a sink instead. */
    private static final int MAX_BUFFERED_BODY = 4 * 1024 * 1024;

    private final Path socket;

    public DockerSocketClient(Path socket) {
        this.socket = socket;
    }

    public Path socket() {
        return socket;
    }

    /** An answer read whole. */
    public record Response(int status, byte[] body) {
        public boolean ok() {
            return status >= 200 && status < 300;
        }

        public JsonNode json() throws IOException {
            return JSON.readTree(body);
        }

        /** The engine's own error message ({"message": ...}), else the body as text. */
        public String message() {
            String text = new String(body, StandardCharsets.UTF_8).strip();
            try {
                JsonNode m = JSON.readTree(text).get("message");
                if (m != null && m.isTextual()) {
                    return m.asText();
                }
            } catch (IOException | RuntimeException e) {
                // not JSON: the text itself is the best explanation there is
            }
            return text.isEmpty() ? "HTTP " + status : text;
        }
    }

    /** Where a streamed body goes, as it arrives. */
    @FunctionalInterface
    public interface BodySink {
        void accept(InputStream body) throws IOException;
    }

    /** The call did not end within its time bound; the connection was closed. */
    public static final class TimedOutException extends IOException {
        @Serial
        private static final long serialVersionUID = 1L;

        public TimedOutException(Duration after) {
            super("the Docker engine did not answer within " + after.toSeconds() + " s");
        }
    }

    /** Sends the request and reads the answer whole. */
    public Response send(String method, String target, Object jsonBody, Duration timeout) throws IOException, InterruptedException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] json = jsonBody == null ? null : JSON.writeValueAsBytes(jsonBody);
        Response r = exchange(method, target, "application/json", json, timeout, body -> {
            byte[] buf = new byte[8192];
            int n;
            while ((n = body.read(buf)) >= 0) {
                if (out.size() + n > MAX_BUFFERED_BODY) {
                    throw new IOException("the Docker engine's answer is larger than " + MAX_BUFFERED_BODY + " bytes");
                }
                out.write(buf, 0, n);
            }
        });
        return r.ok() ? new Response(r.status(), out.toByteArray()) : r;
    }

    /** Sends the request and hands a 2xx body to {@code sink} as it streams; another answer is returned read whole. */
    public Response stream(String method, String target, Duration timeout, BodySink sink) throws IOException, InterruptedException {
        return exchange(method, target, null, null, timeout, sink);
    }

    /** As {@link #stream(String, String, Duration, BodySink)}, sending {@code body} of {@code contentType}. */
    public Response stream(String method, String target, String contentType, byte[] body, Duration timeout, BodySink sink)
            throws IOException, InterruptedException {
        return exchange(method, target, contentType, body, timeout, sink);
    }

    private Response exchange(String method, String target, String contentType, byte[] body, Duration timeout,
                              BodySink onSuccess) throws IOException, InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        AtomicBoolean expired = new AtomicBoolean();
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            // Bounds the whole call, including a long wait for a streamed body: closing the channel ends any read.
            @SuppressWarnings("try") // the watchdog closes the resource early from its own thread, to end a blocked read
            Thread watchdog = Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(timeout);
                    expired.set(true);
                    channel.close();
                } catch (InterruptedException | IOException e) {
                    // the call ended first
                }
            });
            try {
                StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                        .append("Host: docker\r\nConnection: close\r\n");
                if (body != null) {
                    head.append("Content-Type: ").append(contentType).append("\r\nContent-Length: ").append(body.length)
                            .append("\r\n");
                }
                head.append("\r\n");
                writeFully(channel, head.toString().getBytes(StandardCharsets.US_ASCII));
                if (body != null) {
                    writeFully(channel, body);
                }
                InputStream in = new BufferedInputStream(Channels.newInputStream(channel), 16 * 1024);
                int status = readStatus(in);
                long contentLength = -1;
                boolean chunked = false;
                String line;
                while (!(line = readLine(in)).isEmpty()) {
                    int colon = line.indexOf(':');
                    if (colon < 0) {
                        continue;
                    }
                    String name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
                    String value = line.substring(colon + 1).strip();
                    if (name.equals("content-length")) {
                        contentLength = Long.parseLong(value);
                    } else if (name.equals("transfer-encoding") && value.toLowerCase(Locale.ROOT).contains("chunked")) {
                        chunked = true;
                    }
                }
                InputStream content = chunked ? new ChunkedInputStream(in)
                        : contentLength >= 0 ? new LimitedInputStream(in, contentLength) : in;
                if (status >= 200 && status < 300) {
                    onSuccess.accept(content);
                    return new Response(status, new byte[0]);
                }
                return new Response(status, content.readNBytes(64 * 1024));
            } catch (ClosedByInterruptException e) {
                Thread.interrupted();
                throw new InterruptedException();
            } catch (ClosedChannelException e) {
                if (expired.get()) {
                    throw new TimedOutException(timeout);
                }
                throw e;
            } finally {
                watchdog.interrupt();
            }
        }
    }

    private static void writeFully(SocketChannel channel, byte[] bytes) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
    }

    private static int readStatus(InputStream in) throws IOException {
        String line = readLine(in);
        String[] parts = line.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP answer from the Docker engine: " + line);
        }
        return Integer.parseInt(parts[1]);
    }

    /** A header line without its CRLF; headers are ASCII. */
    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                int end = sb.length();
                return end > 0 && sb.charAt(end - 1) == '\r' ? sb.substring(0, end - 1) : sb.toString();
            }
            if (sb.length() > 16 * 1024) {
                throw new IOException("header line too long");
            }
            sb.append((char) c);
        }
        throw new EOFException("the Docker engine closed the connection mid-answer");
    }

    /** A body of known length. */
    private static final class LimitedInputStream extends InputStream {
        private final InputStream in;
        private long left;

        LimitedInputStream(InputStream in, long length) {
            this.in = in;
            this.left = length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw new EOFException("the Docker engine's answer ended early");
            }
            left -= n;
            return n;
        }
    }

    /** A chunked body (RFC 9112 section 7.1): hex size line, data, CRLF; size 0 ends it. */
    private static final class ChunkedInputStream extends InputStream {
        private final InputStream in;
        private long left;
        private boolean done;

        ChunkedInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            if (left == 0) {
                String size = readLine(in);
                int ext = size.indexOf(';');
                left = Long.parseLong((ext < 0 ? size : size.substring(0, ext)).strip(), 16);
                if (left == 0) {
                    done = true;
                    while (!readLine(in).isEmpty()) {
                        // trailers: none that matter
                    }
                    return -1;
                }
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw new EOFException("the Docker engine's answer ended mid-chunk");
            }
            left -= n;
            if (left == 0) {
                readLine(in);
            }
            return n;
        }
    }
}
