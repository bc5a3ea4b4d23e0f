package dev.funnel.data;

/** A dataset file that does not follow {@code docs/data-format.md}; the message names file:line. */
public class DatasetFormatException extends RuntimeException {
  public DatasetFormatException(String message) {
    super(message);
  }

  public DatasetFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
