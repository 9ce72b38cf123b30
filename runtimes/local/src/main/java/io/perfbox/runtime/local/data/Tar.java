package io.perfbox.runtime.local.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * The little of the tar format (POSIX ustar) a backup needs: regular files only, written and read here, so nothing
 * but a regular file can ever come out of an archive (a link, a device, a directory entry, a GNU or pax extension
 * is refused by name, never interpreted). {@code tar tzf FILE} lists a backup.
 */
final class Tar {
    static final int BLOCK = 512;
    /** Octal in 11 digits: a file of 8 GiB or more does not fit a ustar header. */
    static final long MAX_SIZE = 077777777777L;

    private Tar() {
    }

    /** A header's fields that matter here. */
    record Header(String name, long size, char type) {
    }

    /** Writes one regular file's header (mode 0600, owner 0, the given modification time). */
    static void writeHeader(OutputStream out, String name, long size, long mtimeSeconds) throws IOException {
        byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
        if (nameBytes.length > 100) {
            throw new IOException("a path in a backup is at most 100 characters: " + name);
        }
        if (size < 0 || size > MAX_SIZE) {
            throw new IOException(name + " is too large for a backup entry (8 GiB at most): " + size + " bytes");
        }
        byte[] h = new byte[BLOCK];
        System.arraycopy(nameBytes, 0, h, 0, nameBytes.length);
        octal(h, 100, 8, 0600);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, size);
        octal(h, 136, 12, mtimeSeconds);
        Arrays.fill(h, 148, 156, (byte) ' ');
        h[156] = '0';
        System.arraycopy("ustar\u000000".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 8);
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        octal(h, 148, 7, sum);
        h[155] = ' ';
        out.write(h);
    }

    /** Pads the entry just written to a whole block. */
    static void pad(OutputStream out, long size) throws IOException {
        int rest = (int) (size % BLOCK);
        if (rest != 0) {
            out.write(new byte[BLOCK - rest]);
        }
    }

    static void writeEnd(OutputStream out) throws IOException {
        out.write(new byte[2 * BLOCK]);
    }

    /** The next header, or empty at the end of the archive (a zero block); refuses a header that is not ustar's. */
    static Optional<Header> readHeader(InputStream in) throws IOException {
        byte[] h = in.readNBytes(BLOCK);
        if (h.length == 0) {
            throw new EOFException("the archive ends without its end marker (cut short?)");
        }
        if (h.length < BLOCK) {
            throw new EOFException("the archive ends inside a header (cut short?)");
        }
        boolean zero = true;
        for (byte b : h) {
            if (b != 0) {
                zero = false;
                break;
            }
        }
        if (zero) {
            return Optional.empty();
        }
        long stored = parseOctal(h, 148, 8, "checksum");
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xff);
        }
        if (sum != stored) {
            throw new IOException("a header's checksum does not match (a damaged archive)");
        }
        String name = text(h, 0, 100);
        String prefix = text(h, 345, 155);
        if (!prefix.isEmpty()) {
            name = prefix + "/" + name;
        }
        char type = (char) (h[156] & 0xff);
        long size = (h[124] & 0x80) != 0 ? -1 : parseOctal(h, 124, 12, "size");
        if (size < 0) {
            throw new IOException("entry " + printable(name) + " has a size this format does not write");
        }
        return Optional.of(new Header(name, size, type == 0 ? '0' : type));
    }

    /** What a type flag stands for, to say why an entry is refused. */
    static String kind(char type) {
        return switch (type) {
            case '0', '7' -> "a regular file";
            case '1' -> "a hard link";
            case '2' -> "a symbolic link";
            case '3' -> "a character device";
            case '4' -> "a block device";
            case '5' -> "a directory";
            case '6' -> "a FIFO";
            case 'x', 'g' -> "a pax extended header";
            case 'L', 'K' -> "a GNU long name";
            default -> "an entry of type '" + printable(String.valueOf(type)) + "'";
        };
    }

    /** The name as text that cannot drive a terminal (control and non-ASCII characters escaped). */
    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c < 0x20 || c >= 0x7f) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static String text(byte[] h, int offset, int length) {
        int end = offset;
        while (end < offset + length && h[end] != 0) {
            end++;
        }
        // ISO-8859-1 keeps every byte as one char, so a non-ASCII name shows up (and is refused) as it is.
        return new String(h, offset, end - offset, StandardCharsets.ISO_8859_1);
    }

    private static long parseOctal(byte[] h, int offset, int length, String field) throws IOException {
        String s = text(h, offset, length).strip();
        if (!s.matches("[0-7]{1,12}")) {
            throw new IOException("a header's " + field + " is not a number (a damaged archive)");
        }
        return Long.parseLong(s, 8);
    }

    private static void octal(byte[] h, int offset, int length, long value) {
        String s = Long.toOctalString(value);
        String padded = "0".repeat(length - 1 - s.length()) + s;
        byte[] b = padded.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, offset, b.length);
        h[offset + length - 1] = 0;
    }
}
