package dev.funnel.pipeline;

import java.util.List;

/**
 * One validated recommendation request (the HTTP layer has checked every field).
 *
 * @param userId the user whose stored profile to use, or null for an anonymous request
 * @param history videos watched recently (oldest first) that the store may not know yet, appended
 *     to the stored history; unknown video ids are ignored; null or empty = none
 * @param context demographics and searches given with the request
 * @param count how many videos to return
 * @param exclude video ids never to return (unknown ids are ignored)
 * @param playing for watch-next: the video being played, appended to the history and excluded; null
 *     otherwise
 * @param asOfTs a replayed past request (epoch seconds): served as if made then (the clock reads
 *     it, the user tower gets the example age end of training − asOfTs); 0 = a live request
 */
public record RecommendQuery(
    String userId,
    List<String> history,
    RequestContext context,
    int count,
    List<String> exclude,
    String playing,
    long asOfTs) {

  /** A live request. */
  public RecommendQuery(
      String userId,
      List<String> history,
      RequestContext context,
      int count,
      List<String> exclude,
      String playing) {
    this(userId, history, context, count, exclude, playing, 0L);
  }

  public RecommendQuery {
    history = history == null ? List.of() : history;
    context = context == null ? RequestContext.NONE : context;
    exclude = exclude == null ? List.of() : exclude;
  }

  public static RecommendQuery forUser(String userId, int count) {
    return new RecommendQuery(userId, null, null, count, null, null);
  }
}
