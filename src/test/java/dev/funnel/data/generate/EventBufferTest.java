package dev.funnel.data.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.funnel.data.Dataset;
import dev.funnel.data.DatasetMeta;
import dev.funnel.data.DatasetWriter;
import dev.funnel.data.User;
import dev.funnel.data.Video;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventBufferTest {
  @TempDir Path dir;

  @Test
  void flushBefore_manyEventsAcrossSlices_writesInTimeOrderAndKeepsTheRest() throws IOException {
    String[] words = {"aa", "bb", "cc"};
    Events.Searches searches = new Events.Searches(words);
    Events.Watches watches = new Events.Watches();
    try (DatasetWriter out = new DatasetWriter(dir)) {
      out.video(new Video("v0", "t0", "en", "c0", 10, 0, "x", new String[0]));
      out.user(new User("u0", "", "", "u", 0));
      // More than the initial capacity, in reverse time order, straddling the bound.
      for (int i = 5000; i > 0; i--) {
        searches.add(0, i, new int[] {i % 3, 2}, 2);
        watches.add(0, 0, i, 1f);
      }
      searches.flushBefore(2501, out);
      watches.flushBefore(2501, out);
      assertEquals(2500, searches.written());
      for (int i = 6000; i > 5000; i--) {
        searches.add(0, i, new int[] {0}, 1);
      }
      searches.flushBefore(Long.MAX_VALUE, out);
      watches.flushBefore(Long.MAX_VALUE, out);
      out.meta(new DatasetMeta("b", "test", 1, 6000, new JsonObject()));
    }
    Dataset d = Dataset.read(dir);
    assertEquals(6000, d.searches().size());
    assertEquals(5000, d.watches().size());
    for (int i = 0; i < 6000; i++) {
      assertEquals(i + 1, d.searches().ts()[i]);
    }
    assertArrayEquals(new String[] {"bb", "cc"}, d.searches().tokens()[0]);
    assertArrayEquals(new String[] {"aa"}, d.searches().tokens()[5999]);
  }
}
