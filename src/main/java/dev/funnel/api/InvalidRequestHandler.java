package dev.funnel.api;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;

/**
 * Requests the HTTP decoder refused before any route saw them (Vert.x answers these itself with an
 * empty body): a request line over the limit is a 414, a header block over it a 431, both as
 * problem+json like every other error; anything else malformed gets the connection closed, as
 * Vert.x does, because the rest of the stream cannot be trusted. The connection closes after the
 * answer too: the decoder has given up on it.
 */
public final class InvalidRequestHandler implements Handler<HttpServerRequest> {
  @Override
  public void handle(HttpServerRequest request) {
    DecoderResult result = request.decoderResult();
    Throwable cause = result == null ? null : result.cause();
    int status;
    if (cause instanceof TooLongHttpLineException) {
      status = 414;
    } else if (cause instanceof TooLongHttpHeaderException) {
      status = 431;
    } else {
      HttpServerRequest.DEFAULT_INVALID_REQUEST_HANDLER.handle(request);
      return;
    }
    request.response().putHeader("Connection", "close");
    // The path of an over-long line is the thing that was too long: not echoed.
    ProblemHandler.send(request.response(), status, null, status == 414 ? "" : request.path())
        .onComplete(ar -> request.connection().close());
  }
}
