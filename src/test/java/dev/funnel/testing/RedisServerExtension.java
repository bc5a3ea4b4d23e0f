package dev.funnel.testing;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Injects a {@link RedisServer}: one real redis-server per test JVM, started on first use and
 * killed when the JVM's tests end (the root store closes it). Tests share it, so each uses its own
 * random key prefix; nothing ever flushes it.
 */
public final class RedisServerExtension implements ParameterResolver {
  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(RedisServerExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
    return p.getParameter().getType() == RedisServer.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext e) {
    return shared(e);
  }

  public static RedisServer shared(ExtensionContext e) {
    return e.getRoot()
        .getStore(NS)
        .getOrComputeIfAbsent(
            "redis",
            k -> {
              try {
                RedisServer server = RedisServer.start();
                Runtime.getRuntime().addShutdownHook(new Thread(server::close));
                return server;
              } catch (Exception ex) {
                throw new ParameterResolutionException("cannot start redis-server", ex);
              }
            },
            RedisServer.class);
  }
}
