package dev.funnel.models.serving;

import dev.funnel.config.FunnelConfig;
import dev.funnel.metrics.FunnelMetrics;
import dev.funnel.models.ModelBundle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
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
    return reload(() -> ModelBundle.load(config.modelsDir()));
  }

  /**
   * Loads the version named {@code version} from the models root ({@code models.dir}, or the
   * directory holding it when {@code models.dir} is itself a version): the fleet rollout's way in.
   * The directory must be named after the version, and the model in it must say that version, so a
   * mislabelled copy is rejected rather than served under another name. Fails as {@link #reload()}
   * does.
   */
  public Future<Result> reload(String version) {
    return reload(
        () -> {
          if (!dev.funnel.config.FleetConfig.isName(version)) {
            throw new IllegalArgumentException("'" + version + "' is not a model version name");
          }
          ModelBundle bundle = ModelBundle.load(versionsRoot(config.modelsDir()).resolve(version));
          if (!bundle.version().equals(version)) {
            String found = bundle.version();
            bundle.close();
            throw new java.io.IOException(
                "directory " + version + " holds model version " + found + ", not " + version);
          }
          return bundle;
        });
  }

  /** Where versions live beside each other: {@code modelsDir} itself, or its parent. */
  public static Path versionsRoot(Path modelsDir) {
    boolean isVersion =
        java.nio.file.Files.isRegularFile(
            modelsDir.resolve(dev.funnel.models.BundleFiles.MANIFEST));
    Path abs = modelsDir.toAbsolutePath();
    return isVersion && abs.getParent() != null ? abs.getParent() : modelsDir;
  }

  private interface BundleSource {
    ModelBundle load() throws Exception;
  }

  private Future<Result> reload(BundleSource source) {
    if (!busy.compareAndSet(false, true)) {
      return Future.failedFuture(new BusyException());
    }
    return vertx
        .executeBlocking(() -> buildAndValidate(source.load()), false)
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

  private ServingModel buildAndValidate(ModelBundle bundle) throws Exception {
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
