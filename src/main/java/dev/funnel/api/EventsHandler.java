package dev.funnel.api;

import dev.funnel.events.EventLog;
import dev.funnel.events.UserEvent;
import dev.funnel.features.FeatureStore;
import dev.funnel.metrics.FunnelMetrics;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * {@code POST /v1/events}: a batch of watch, impression and search events, applied to the users'
 * features atomically and idempotently ({@link FeatureStore#applyEvents}). The 202 {@code
 * {"accepted":n,"duplicates":m}} is written only after the store acknowledged the whole batch; if
 * the store fails or its breaker is open the answer is 503 with Retry-After and the batch is safe
 * to retry as is (event ids make a retry change nothing twice).
 */
final class EventsHandler {
  private final FeatureStore store;
  private final FunnelMetrics metrics;
  private final EventLog log;

  /**
   * @param log null = direct mode (the store); else {@code events.mode = kafka}: the batch goes to
   *     the log and the 202 {@code {"queued":n}} means the log acknowledged it, not that it was
   *     applied yet (a consumer applies it, docs/events-kafka.md)
   */
  EventsHandler(FeatureStore store, FunnelMetrics metrics, EventLog log) {
    this.store = store;
    this.metrics = metrics;
    this.log = log;
  }

  void post(RoutingContext ctx) {
    Validation.onlyParams(ctx.queryParams());
    List<UserEvent> events;
    try {
      events = EventsBody.parse(ctx.body().buffer());
    } catch (ApiException e) {
      metrics.eventBatch("rejected");
      throw e;
    }
    if (log != null) {
      queue(ctx, events);
      return;
    }
    store
        .applyEvents(events)
        .onSuccess(
            r -> {
              metrics.eventBatch("ok");
              metrics.events(r.accepted(), r.duplicates());
              if (ctx.response().closed()) {
                return;
              }
              ctx.response()
                  .setStatusCode(202)
                  .putHeader("Content-Type", "application/json")
                  .putHeader("Cache-Control", "no-store")
                  .end(
                      new JsonObject()
                          .put("accepted", r.accepted())
                          .put("duplicates", r.duplicates())
                          .toBuffer());
            })
        .onFailure(
            e -> {
              metrics.eventBatch("unavailable");
              ctx.fail(
                  new StoreUnavailableException(
                      "feature store unavailable: the batch of "
                          + events.size()
                          + " may not have been applied; retry it as is (events are idempotent"
                          + " by id)",
                      e));
            });
  }

  private void queue(RoutingContext ctx, List<UserEvent> events) {
    log.append(events)
        .onSuccess(
            v -> {
              metrics.eventBatch("ok");
              if (ctx.response().closed()) {
                return;
              }
              ctx.response()
                  .setStatusCode(202)
                  .putHeader("Content-Type", "application/json")
                  .putHeader("Cache-Control", "no-store")
                  .end(new JsonObject().put("queued", events.size()).toBuffer());
            })
        .onFailure(
            e -> {
              metrics.eventBatch("unavailable");
              ctx.fail(
                  new StoreUnavailableException(
                      "event log unavailable: the batch of "
                          + events.size()
                          + " may or may not have been queued; retry it as is (events are"
                          + " idempotent by id)",
                      e));
            });
  }
}
