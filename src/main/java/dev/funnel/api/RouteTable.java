package dev.funnel.api;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The router's routes as templates with their methods, read once after the routes are added: the
 * {@code Allow} header of a 405 and the bounded {@code route} label of the metrics both come from
 * here, so a new route cannot be forgotten in either.
 */
final class RouteTable {
  static final String OTHER = "other";

  private record Entry(String template, Pattern pattern, Set<HttpMethod> methods) {}

  private volatile List<Entry> entries = List.of();

  /** Takes the routes that name a path and methods (not the catch-all handlers). */
  void load(Router router) {
    List<Entry> loaded = new ArrayList<>();
    for (Route r : router.getRoutes()) {
      Set<HttpMethod> methods = r.methods();
      if (methods == null || methods.isEmpty()) {
        continue;
      }
      // A template ("/v1/users/:userId") keeps its path; a regex route has only its name.
      if (r.getPath() != null) {
        loaded.add(new Entry(r.getPath(), templatePattern(r.getPath()), methods));
      } else if (r.isRegexPath() && r.getName() != null) {
        loaded.add(new Entry(r.getName(), Pattern.compile(r.getName()), methods));
      }
    }
    entries = List.copyOf(loaded);
  }

  /** The template of the route this path matches (e.g. {@code /v1/users/:userId}), or "other". */
  String template(String path) {
    if (path != null) {
      for (Entry e : entries) {
        if (e.pattern.matcher(path).matches()) {
          return e.template;
        }
      }
    }
    return OTHER;
  }

  /** The methods some route accepts on this path, e.g. "GET, HEAD"; empty when none does. */
  String allow(String path) {
    Set<String> names = new TreeSet<>();
    if (path != null) {
      for (Entry e : entries) {
        if (e.pattern.matcher(path).matches()) {
          e.methods.forEach(m -> names.add(m.name()));
        }
      }
    }
    return String.join(", ", names);
  }

  // "/v1/users/:userId" -> /v1/users/[^/]+ ; a "*" part matches the rest.
  private static Pattern templatePattern(String template) {
    List<String> parts = new ArrayList<>();
    for (String part : template.split("/", -1)) {
      if (part.startsWith(":")) {
        parts.add("[^/]+");
      } else if (part.equals("*")) {
        parts.add(".*");
      } else {
        parts.add(part.isEmpty() ? "" : Pattern.quote(part));
      }
    }
    return Pattern.compile(String.join("/", parts));
  }
}
