package dev.funnel.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SortedArraysTest {

  @Test
  void firstAtOrAfter_duplicates_firstOfTheRun() {
    long[] ts = {1, 3, 3, 3, 7};
    assertEquals(0, SortedArrays.firstAtOrAfter(ts, 0));
    assertEquals(1, SortedArrays.firstAtOrAfter(ts, 3));
    assertEquals(4, SortedArrays.firstAtOrAfter(ts, 4));
    assertEquals(5, SortedArrays.firstAtOrAfter(ts, 8));
    assertEquals(0, SortedArrays.firstAtOrAfter(new long[0], 5));
  }

  @Test
  void firstAtOrAfter_floats_sameRule() {
    float[] x = {-1f, 0.5f, 0.5f, 2f};
    assertEquals(1, SortedArrays.firstAtOrAfter(x, 0.5f));
    assertEquals(3, SortedArrays.firstAtOrAfter(x, 0.6f));
    assertEquals(4, SortedArrays.firstAtOrAfter(x, 9f));
  }
}
