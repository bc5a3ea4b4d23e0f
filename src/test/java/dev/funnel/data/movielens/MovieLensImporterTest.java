package dev.funnel.data.movielens;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.data.Dataset;
import dev.funnel.data.DatasetFormatException;
import dev.funnel.data.User;
import dev.funnel.data.Video;
import dev.funnel.testing.MovieLensDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MovieLensImporterTest {
  @TempDir Path tmp;

  private static Path fixture() throws Exception {
    return Paths.get(MovieLensImporterTest.class.getResource("/ml-100k-fixture/u.data").toURI())
        .getParent();
  }

  @Test
  void importDir_ml100k_mapsRatingsDemographicsAndGenres() throws Exception {
    MovieLensImporter.Summary s = MovieLensImporter.importDir(fixture(), tmp.resolve("out"));
    assertEquals("ml-100k", s.layout());
    Dataset d = Dataset.read(tmp.resolve("out"));
    assertEquals("movielens", d.meta().source());
    assertEquals(5, d.videos().size());
    assertEquals(4, d.users().size());
    assertEquals(12, d.watches().size());
    assertEquals(0, d.impressions().size());

    assertEquals(new User("1", "US-8", "en", "m", 24), d.users().get(d.userIndex("1")));
    assertEquals(new User("4", "", "en", "f", 33), d.users().get(d.userIndex("4")));

    Video toy = d.videos().get(d.videoIndex("1"));
    assertEquals("animation", toy.topic());
    assertArrayEquals(new String[] {"animation", "childrens", "comedy"}, toy.tokens());
    assertEquals(788_918_400L, toy.uploadTs()); // 01-Jan-1995
    assertEquals(MovieLensImporter.NOMINAL_DURATION_S, toy.durationSeconds());
    // u.item is ISO-8859-1.
    assertEquals("Café au Lait (1993)", d.videos().get(d.videoIndex("3")).title());
    assertEquals("unknown", d.videos().get(d.videoIndex("4")).topic());
    Video sciFi = d.videos().get(d.videoIndex("5"));
    assertArrayEquals(new String[] {"film-noir", "sci-fi"}, sciFi.tokens());
    // No year anywhere: uploaded at the release date given, never after the first rating.
    assertTrue(sciFi.uploadTs() <= 890_000_000L);

    long[] ts = d.watches().ts();
    for (int i = 1; i < ts.length; i++) {
      assertTrue(ts[i - 1] <= ts[i]);
    }
    assertEquals(875_000_000L, d.meta().startTs());
    assertEquals(891_000_000L, d.meta().endTs());
    // Ties stay in file order: user 1, 2, 4 rated at 881250949.
    int first = 0;
    while (ts[first] != 881_250_949L) {
      first++;
    }
    assertEquals("1", d.users().get(d.watches().user()[first]).id());
    assertEquals("2", d.users().get(d.watches().user()[first + 1]).id());
    assertEquals("4", d.users().get(d.watches().user()[first + 2]).id());
    assertEquals(6000f, d.watches().watchSeconds()[first]); // 5 stars
  }

  @Test
  void importDir_csvWithQuotedTitlesAndTags_parsesProperly() throws IOException {
    Path in = Files.createDirectories(tmp.resolve("csv"));
    Files.writeString(
        in.resolve("movies.csv"),
        "movieId,title,genres\n"
            + "11,\"American President, The (1995)\",Comedy|Drama|Romance\n"
            + "7789,\"11'09\"\"01 - September 11 (2002)\",Drama\n"
            + "99,Untitled,(no genres listed)\n");
    Files.writeString(
        in.resolve("ratings.csv"),
        "userId,movieId,rating,timestamp\n"
            + "1,11,4.5,964982703\n"
            + "1,7789,2.0,964981247\n"
            + "2,11,5.0,964982000\n"
            + "3,555,3.0,964982000\n");
    Files.writeString(
        in.resolve("tags.csv"),
        "userId,movieId,tag,timestamp\n"
            + "2,11,\"politics, romance\",964983000\n"
            + "4,11,White House,964980000\n");
    MovieLensImporter.Summary s = MovieLensImporter.importDir(in, tmp.resolve("out"));
    assertEquals("csv", s.layout());
    Dataset d = Dataset.read(tmp.resolve("out"));

    Video president = d.videos().get(d.videoIndex("11"));
    assertEquals("American President, The (1995)", president.title());
    assertEquals("comedy", president.topic());
    assertArrayEquals(
        new String[] {"comedy", "drama", "romance", "house", "politics", "white"},
        president.tokens());
    assertEquals("11'09\"01 - September 11 (2002)", d.videos().get(d.videoIndex("7789")).title());
    // Year after the first rating → the first rating time.
    assertEquals(964_981_247L, d.videos().get(d.videoIndex("7789")).uploadTs());
    assertEquals("unknown", d.videos().get(d.videoIndex("99")).topic());
    // A rated movie missing from movies.csv is still in the catalogue.
    assertTrue(d.videoIndex("555") >= 0);
    // Tag-only user 4 exists; tags are searches in time order.
    assertTrue(d.userIndex("4") >= 0);
    assertEquals(2, d.searches().size());
    assertArrayEquals(new String[] {"white", "house"}, d.searches().tokens()[0]);
    assertEquals(5400f, d.watches().watchSeconds()[d.watches().size() - 1]);
    assertEquals(964_980_000L, d.meta().startTs());
  }

  @Test
  void importDir_badRating_namesFileAndLine() throws IOException {
    Path in = Files.createDirectories(tmp.resolve("bad"));
    Files.writeString(
        in.resolve("ratings.csv"), "userId,movieId,rating,timestamp\n1,2,4.0,100\n1,3,four,200\n");
    DatasetFormatException e =
        assertThrows(
            DatasetFormatException.class, () -> MovieLensImporter.importDir(in, tmp.resolve("o")));
    assertTrue(e.getMessage().startsWith("ratings.csv:3:"), e.getMessage());
  }

  @Test
  void importDir_noMovieLensFiles_rejected() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> MovieLensImporter.importDir(tmp, tmp.resolve("o")));
    assertTrue(e.getMessage().contains("u.data"), e.getMessage());
  }

  @Test
  void importDir_mlLatestSmall_importsEveryRating() throws IOException {
    Path in = MovieLensDir.require();
    MovieLensImporter.importDir(in, tmp.resolve("ml"));
    Dataset d = Dataset.read(tmp.resolve("ml"));
    assertEquals(100_836, d.watches().size());
    assertEquals(610, d.users().size());
    assertEquals(9_742, d.videos().size());
    // Every tag with a word of two or more characters becomes a search.
    assertTrue(d.searches().size() > 3_600 && d.searches().size() <= 3_683);
    assertEquals("Toy Story (1995)", d.videos().get(d.videoIndex("1")).title());
    assertTrue(d.videoIndex("193609") >= 0);
  }
}
