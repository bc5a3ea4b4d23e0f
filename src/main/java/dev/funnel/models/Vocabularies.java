package dev.funnel.models;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;

/** The categorical vocabularies of the user features, stored as one text file each. */
public record Vocabularies(
    Vocabulary tokens, Vocabulary geos, Vocabulary languages, Vocabulary genders) {
  static final String TOKENS = "vocab_tokens.txt";
  static final String GEOS = "vocab_geo.txt";
  static final String LANGUAGES = "vocab_languages.txt";
  static final String GENDERS = "vocab_genders.txt";

  public void write(Path dir) throws IOException {
    tokens.write(dir.resolve(TOKENS));
    geos.write(dir.resolve(GEOS));
    languages.write(dir.resolve(LANGUAGES));
    genders.write(dir.resolve(GENDERS));
  }

  public static Vocabularies read(Path dir) throws IOException {
    return new Vocabularies(
        Vocabulary.read(dir.resolve(TOKENS)),
        Vocabulary.read(dir.resolve(GEOS)),
        Vocabulary.read(dir.resolve(LANGUAGES)),
        Vocabulary.read(dir.resolve(GENDERS)));
  }

  /** Row counts, as recorded in the manifest. */
  public JsonObject sizes() {
    return new JsonObject()
        .put("tokens", tokens.size())
        .put("geo", geos.size())
        .put("languages", languages.size())
        .put("genders", genders.size());
  }
}
