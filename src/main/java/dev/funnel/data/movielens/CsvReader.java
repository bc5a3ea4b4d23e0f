package dev.funnel.data.movielens;

import dev.funnel.data.DatasetFormatException;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * RFC 4180 records from a reader: fields separated by a delimiter, optionally quoted, with {@code
 * ""} for a quote inside quotes and line breaks allowed inside quotes (MovieLens titles such as
 * {@code "American President, The (1995)"}). Tracks line numbers for error messages.
 */
final class CsvReader implements Closeable {
  private final BufferedReader in;
  private final String file;
  private final char delimiter;
  private final boolean quotes;
  private long line;
  private long recordLine;

  /**
   * @param quotes whether {@code "} quotes fields; false for formats that never quote (ml-100k's
   *     pipe- and tab-separated files, whose titles may contain a bare quote)
   */
  CsvReader(BufferedReader in, String file, char delimiter, boolean quotes) {
    this.in = in;
    this.file = file;
    this.delimiter = delimiter;
    this.quotes = quotes;
  }

  /** The next record's fields, or null at the end; blank lines are skipped. */
  List<String> next() throws IOException {
    String text;
    do {
      text = in.readLine();
      if (text == null) {
        return null;
      }
      line++;
    } while (text.isEmpty());
    recordLine = line;
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    int i = 0;
    while (true) {
      if (i == text.length()) {
        if (quoted) {
          // A line break inside quotes belongs to the field.
          String more = in.readLine();
          if (more == null) {
            throw error("unterminated quoted field");
          }
          line++;
          field.append('\n');
          text = more;
          i = 0;
          continue;
        }
        fields.add(field.toString());
        return fields;
      }
      char c = text.charAt(i++);
      if (quoted) {
        if (c == '"') {
          if (i < text.length() && text.charAt(i) == '"') {
            field.append('"');
            i++;
          } else {
            quoted = false;
          }
        } else {
          field.append(c);
        }
      } else if (c == delimiter) {
        fields.add(field.toString());
        field.setLength(0);
      } else if (c == '"' && quotes && field.length() == 0) {
        quoted = true;
      } else {
        field.append(c);
      }
    }
  }

  /** An exception naming file:line of the current record. */
  DatasetFormatException error(String message) {
    return new DatasetFormatException(file + ":" + recordLine + ": " + message);
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
