package dev.funnel.retrieval;

/**
 * The result of a top-K search: dense video ids and their scores u·w_v + b_v, best first.
 *
 * @param ids dense video ids, {@code size} of them used
 * @param scores the score of each id, same order
 */
public record Candidates(int[] ids, float[] scores, int size) {
  public static final Candidates EMPTY = new Candidates(new int[0], new float[0], 0);
}
