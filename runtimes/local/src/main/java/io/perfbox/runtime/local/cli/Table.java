package io.perfbox.runtime.local.cli;

import java.util.ArrayList;
import java.util.List;

/** Columns aligned with two spaces between them, for a person at a terminal. */
final class Table {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    Table(String... header) {
        this.header = List.of(header);
    }

    Table row(String... cells) {
        List<String> row = new ArrayList<>();
        for (String c : cells) {
            // One line per row: a value with a newline (a title, a message) would break the columns.
            row.add(c == null ? "-" : c.replace('\n', ' ').replace('\r', ' '));
        }
        rows.add(row);
        return this;
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    String render() {
        int[] width = new int[header.size()];
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        for (List<String> row : all) {
            for (int i = 0; i < width.length; i++) {
                width[i] = Math.max(width[i], row.get(i).length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (List<String> row : all) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < width.length; i++) {
                line.append(row.get(i));
                if (i < width.length - 1) {
                    line.append(" ".repeat(width[i] - row.get(i).length() + 2));
                }
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }
}
