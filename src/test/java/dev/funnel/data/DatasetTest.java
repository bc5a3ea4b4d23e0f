package dev.funnel.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetTest {
  @TempDir Path dir;

  @BeforeEach
  void writeSmallDataset() throws IOException {
    try (DatasetWriter w = new DatasetWriter(dir)) {
      w.video(new Video("v1", "t0", "en", "c0", 60, 0, "one", new String[] {"a", "b"}));
      w.video(new Video("v2", "t1", "fr", "c1", 90, 5, "two\tTabbed", new String[0]));
      w.user(new User("u1", "FR", "fr", "f", 20));
      w.watch(new Watch("u1", "v1", 10, 12.34f));
      w.watch(new Watch("u1", "v2", 10, 90f));
      w.search(new Search("u1", 11, new String[] {"chat", "noir"}));
      w.impression(new Impression("u1", "v2", 9, true, 90f));
      w.impression(new Impression("u1", "v1", 9, false, 0f));
      w.meta(new DatasetMeta("small", "test", 9, 11, new JsonObject().put("k", 1)));
    }
  }

  @Test
  void read_writtenDataset_roundTrips() throws IOException {
    Dataset d = Dataset.read(dir);
    assertEquals("two Tabbed", d.videos().get(1).title());
    assertEquals(0, d.videos().get(1).tokens().length);
    assertEquals(1, d.videoIndex("v2"));
    assertEquals(-1, d.videoIndex("v3"));
    assertEquals(12.3f, d.watches().watchSeconds()[0]);
    assertEquals("noir", d.searches().tokens()[0][1]);
    assertTrue(d.impressions().clicked()[0]);
    assertEquals(1, d.meta().details().getInteger("k"));
  }

  @Test
  void read_wrongColumnCount_namesFileAndLine() throws IOException {
    append(Dataset.WATCHES, "u1\tv1\t20\n");
    assertMessage("watches.tsv:4: expected 4 tab-separated columns, got 3");
  }

  @Test
  void read_unknownVideo_namesFileAndLine() throws IOException {
    append(Dataset.IMPRESSIONS, "u1\tv9\t20\t0\t0.0\n");
    assertMessage("impressions.tsv:4: unknown id 'v9' (not in videos.tsv)");
  }

  @Test
  void read_eventsOutOfOrder_namesFileAndLine() throws IOException {
    append(Dataset.WATCHES, "u1\tv1\t5\t1.0\n");
    assertMessage("watches.tsv:4: ts 5 is before the previous row's 10");
  }

  @Test
  void read_badNumber_namesFileAndLine() throws IOException {
    append(Dataset.SEARCHES, "u1\tsoon\tx\n");
    assertMessage("searches.tsv:3:");
  }

  @Test
  void read_badClickedFlag_namesFileAndLine() throws IOException {
    append(Dataset.IMPRESSIONS, "u1\tv1\t20\tyes\t0.0\n");
    assertMessage("impressions.tsv:4: clicked must be 0 or 1");
  }

  @Test
  void read_wrongHeader_namesFile() throws IOException {
    Files.writeString(dir.resolve(Dataset.USERS), "id\tgeo\n");
    assertMessage("users.tsv:1: expected header");
  }

  @Test
  void writer_eventsOutOfOrder_rejected() throws IOException {
    try (DatasetWriter w = new DatasetWriter(dir.resolve("again"))) {
      w.watch(new Watch("u1", "v1", 10, 1f));
      assertThrows(IllegalStateException.class, () -> w.watch(new Watch("u1", "v1", 9, 1f)));
    }
  }

  private void append(String file, String row) throws IOException {
    Files.writeString(dir.resolve(file), Files.readString(dir.resolve(file)) + row);
  }

  private void assertMessage(String prefix) {
    DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> Dataset.read(dir));
    assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
  }
}
