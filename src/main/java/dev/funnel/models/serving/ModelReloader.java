package dev.funnel.models.serving;

import dev.funnel.config.FunnelConfig;
import dev.funnel.metrics.FunnelMetrics;
import dev.funnel.models.ModelBundle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a new model version from {@code models.dir} (re-reading {@code LATEST} when it is a models
 * root), builds and warms its index and predictors, validates it ({@link ModelValidator}), and only
 * then swaps it in ({@link ModelHolder#swap}); the old version keeps serving until the swap and is
 * closed once its in-flight requests are done. A model that fails to load or validate is closed and
 * rejected, and nothing changes. One reload at a time. The work runs on Vert.x's general worker
 * pool, not on the inference workers, so serving capacity is not taken by a reload.
 *
 * <p>There is deliberately no watch on the models directory: a directory being written is not a
 * model yet, and a deploy tool that writes the version, then {@code LATEST}, then calls the reload
 * endpoint gives one clear, authenticated moment of change with an answer saying whether it worked.
 */
public final class ModelReloader {
  private static final Logger LOG = LoggerFactory.getLogger(ModelReloader.class);

  /** What a successful reload did. */
  public record Result(String previous, String current, int videos) {}

  /** A reload asked for while another runs. */
  public static final class BusyException extends RuntimeException {
    BusyException() {
      super("a model reload is already running", null, false, false);
    }
  }

  /**
   * The new model failed to load, build or validate; the previous one keeps serving. The cause says
   * why (its message may name files: for the log, not for clients).
   */
  public static final class RejectedException extends RuntimeException {
    RejectedException(Throwable cause) {
      super("model rejected, the previous model keeps serving", cause);
    }
  }

  private final Vertx vertx;
  private final FunnelConfig config;
  private final ModelHolder models;
  private final FunnelMetrics metrics;
  private final AtomicBoolean busy = new AtomicBoolean();
  // The first bundle belongs to whoever started the server; later ones were loaded here.
  private volatile boolean currentOwned;
  private Future<Void> retiring = Future.succeededFuture();

  public ModelReloader(
      Vertx vertx, FunnelConfig config, ModelHolder models, FunnelMetrics metrics) {
    this.vertx = vertx;
    this.config = config;
    this.models = models;
    this.metrics = metrics;
  }

  /**
   * Fails with {@link BusyException} while another reload runs, or with {@link RejectedException}
   * when the new model cannot serve.
   */
  public Future<Result> reload() {
    if (!busy.compareAndSet(false, true)) {
      return Future.failedFuture(new BusyException());
    }
    return vertx
        .executeBlocking(this::buildAndValidate, false)
        .recover(e -> Future.failedFuture(new RejectedException(e)))
        .map(
            next -> {
              String previous = models.current().version();
              ModelHolder.Retired old = models.swap(next);
              boolean oldOwned = currentOwned;
              currentOwned = true;
              metrics.modelVersion(next.version());
              synchronized (this) {
                retiring = retiring.compose(v -> retire(old, oldOwned));
              }
              LOG.info("model reloaded: {} -> {}", previous, next.version());
              return new Result(previous, next.version(), next.index().size());
            })
        .andThen(ar -> metrics.reload(ar.succeeded() ? "ok" : "rejected"))
        .andThen(ar -> busy.set(false));
  }

  private ServingModel buildAndValidate() throws Exception {
    ModelBundle bundle = ModelBundle.load(config.modelsDir());
    ServingModel model = null;
    try {
      model = ServingModel.build(bundle, config);
      ModelValidator.validate(model);
      return model;
    } catch (RuntimeException e) {
      if (model != null) {
        model.close();
      }
      bundle.close();
      throw e;
    }
  }

  // Predictors must not be closed under a running request: wait until nobody leases the model.
  private Future<Void> retire(ModelHolder.Retired old, boolean ownsBundle) {
    if (!old.idle()) {
      return vertx.timer(10).compose(t -> retire(old, ownsBundle));
    }
    return vertx.executeBlocking(
        () -> {
          old.model().close();
          if (ownsBundle) {
            old.model().bundle().close();
          }
          return null;
        },
        false);
  }

  /**
   * At shutdown, after the requests drained: closes retired models and the current one (and its
   * bundle when it was loaded here). Never fails.
   */
  public Future<Void> close() {
    Future<Void> retired;
    synchronized (this) {
      retired = retiring;
    }
    return retired
        .recover(e -> Future.succeededFuture())
        .compose(
            v ->
                vertx.executeBlocking(
                    () -> {
                      ServingModel m = models.current();
                      m.close();
                      if (currentOwned) {
                        m.bundle().close();
                      }
                      return null;
                    },
                    false))
        .recover(e -> Future.succeededFuture())
        .mapEmpty();
  }
}
