package dev.funnel.models;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A string → embedding-row mapping. Row 0 is reserved: it stands for padding and for anything the
 * model never saw in training (OOV), so that new tokens or regions degrade to "unknown" instead of
 * failing. Known entries get rows 1..size()-1. Immutable and thread-safe.
 *
 * <p>On disk: one entry per line, line i (0-based) is row i+1.
 */
public final class Vocabulary {
  /** The padding / out-of-vocabulary row. */
  public static final int OOV = 0;

  private final List<String> entries;
  private final Map<String, Integer> rows;

  public Vocabulary(Collection<String> entries) {
    this.entries = List.copyOf(entries);
    this.rows = new HashMap<>(entries.size() * 2);
    int row = 1;
    for (String e : this.entries) {
      if (e.isEmpty() || e.contains("\n")) {
        throw new IllegalArgumentException("bad vocabulary entry '" + e + "'");
      }
      if (rows.put(e, row++) != null) {
        throw new IllegalArgumentException("duplicate vocabulary entry '" + e + "'");
      }
    }
  }

  /** Embedding row of an entry, or {@link #OOV} when unknown (null and "" included). */
  public int row(String entry) {
    if (entry == null) {
      return OOV;
    }
    Integer row = rows.get(entry);
    return row == null ? OOV : row;
  }

  /** Number of embedding rows, the reserved row 0 included. */
  public int size() {
    return entries.size() + 1;
  }

  public List<String> entries() {
    return entries;
  }

  public void write(Path file) throws IOException {
    Files.write(file, entries, StandardCharsets.UTF_8);
  }

  public static Vocabulary read(Path file) throws IOException {
    List<String> lines = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (!line.isEmpty()) {
        lines.add(line);
      }
    }
    return new Vocabulary(lines);
  }
}
