package dev.funnel.api;

import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

/**
 * The request id: the client's {@code X-Request-Id} when it is a sane token (1..128 of {@code
 * [A-Za-z0-9._:-]}), else a new UUID. Echoed in the response header and written in every log line
 * about the request, so a client's report can be matched with the server's logs.
 */
final class RequestIds {
  static final String HEADER = "X-Request-Id";
  private static final String KEY = "funnel.requestId";

  private RequestIds() {}

  /** The first handler of every route: assigns the id and echoes it. */
  static void assign(RoutingContext ctx) {
    String given = ctx.request().getHeader(HEADER);
    String id = valid(given) ? given : UUID.randomUUID().toString();
    ctx.put(KEY, id);
    ctx.response().putHeader(HEADER, id);
    ctx.next();
  }

  static String of(RoutingContext ctx) {
    String id = ctx.get(KEY);
    return id == null ? "-" : id;
  }

  static boolean valid(String s) {
    if (s == null || s.isEmpty() || s.length() > 128) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == ':'
              || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
