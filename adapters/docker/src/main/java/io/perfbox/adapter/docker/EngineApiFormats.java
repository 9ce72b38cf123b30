package io.perfbox.adapter.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perfbox.adapter.process.BoundedCapture;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The Docker Engine API's wire formats {@link DockerApiEngine} reads and writes: the one-file tar a build's context
 * is, the JSON messages a build answers with, and the frames a container's log comes in.
 */
final class EngineApiFormats {
    private static final ObjectMapper JSON = new ObjectMapper();

    private EngineApiFormats() {
    }

    /**
     * The build's messages as the CLI shows them: each "stream" text as it is, pull progress as "id: status", an
     * error as its message. True when the build reported an error.
     */
    static boolean showBuildOutput(InputStream body, BoundedCapture log) throws IOException {
        boolean failed = false;
        try (MappingIterator<JsonNode> messages = JSON.readerFor(JsonNode.class).readValues(body)) {
            while (messages.hasNextValue()) {
                JsonNode m = messages.nextValue();
                if (m.hasNonNull("error") || m.hasNonNull("errorDetail")) {
                    failed = true;
                    String message = m.path("errorDetail").path("message").asText(m.path("error").asText());
                    write(log, message + "\n");
                } else if (m.hasNonNull("stream")) {
                    write(log, m.get("stream").asText());
                } else if (m.hasNonNull("status")) {
                    String id = m.path("id").asText("");
                    write(log, (id.isEmpty() ? "" : id + ": ") + m.get("status").asText() + "\n");
                }
            }
        }
        return failed;
    }

    static void write(BoundedCapture log, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        log.write(bytes, 0, bytes.length);
    }

    /** A tar archive of one regular file (ustar format), as the CLI makes of a Dockerfile read from stdin. */
    static byte[] tarOfOne(String name, byte[] content) {
        byte[] header = new byte[512];
        putAscii(header, 0, name);
        putAscii(header, 100, "0000644");
        putAscii(header, 108, "0000000");
        putAscii(header, 116, "0000000");
        putAscii(header, 124, String.format("%011o", content.length));
        putAscii(header, 136, String.format("%011o", 0));
        header[156] = '0';
        putAscii(header, 257, "ustar");
        putAscii(header, 263, "00");
        // The checksum is computed with its own field as spaces.
        for (int i = 148; i < 156; i++) {
            header[i] = ' ';
        }
        int sum = 0;
        for (byte b : header) {
            sum += b & 0xff;
        }
        putAscii(header, 148, String.format("%06o", sum));
        header[154] = 0;
        header[155] = ' ';
        int padded = (content.length + 511) / 512 * 512;
        byte[] tar = new byte[512 + padded + 1024];
        System.arraycopy(header, 0, tar, 0, 512);
        System.arraycopy(content, 0, tar, 512, content.length);
        return tar;
    }

    private static void putAscii(byte[] to, int at, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, to, at, b.length);
    }

    /**
     * A container without a TTY sends its output as frames: a byte for the stream (stdout 1, stderr 2), three zero
     * bytes, the payload's length (4 bytes, big-endian), the payload. Payloads go to the capture in arrival order, the first {@code skip}
     * bytes of them left out (what an earlier read of the same log already has).
     */
    static void demultiplex(InputStream in, BoundedCapture capture, long skip) throws IOException {
        long[] left = {skip};
        demultiplexInto(in, (buf, off, len) -> {
            int drop = (int) Math.min(left[0], len);
            left[0] -= drop;
            if (len > drop) {
                capture.write(buf, off + drop, len - drop);
            }
        });
    }

    private interface Payload {
        void write(byte[] buf, int off, int len);
    }

    private static void demultiplexInto(InputStream in, Payload capture) throws IOException {
        byte[] header = new byte[8];
        byte[] buf = new byte[64 * 1024];
        while (true) {
            int got = in.readNBytes(header, 0, 8);
            if (got < 8) {
                if (got > 0) {
                    capture.write(header, 0, got);
                }
                return;
            }
            boolean framed = header[0] >= 0 && header[0] <= 2 && header[1] == 0 && header[2] == 0 && header[3] == 0;
            if (!framed) {
                // A raw stream (a container with a TTY): copy it as it is.
                capture.write(header, 0, 8);
                int n;
                while ((n = in.read(buf)) >= 0) {
                    capture.write(buf, 0, n);
                }
                return;
            }
            long length = ((header[4] & 0xffL) << 24) | ((header[5] & 0xff) << 16) | ((header[6] & 0xff) << 8) | (header[7] & 0xff);
            while (length > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, length));
                if (n < 0) {
                    return;
                }
                capture.write(buf, 0, n);
                length -= n;
            }
        }
    }
}
