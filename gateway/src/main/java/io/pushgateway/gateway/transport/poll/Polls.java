package io.pushgateway.gateway.transport.poll;

import io.pushgateway.gateway.config.GatewayConfig;
import io.pushgateway.gateway.core.ErrorCode;
import io.pushgateway.gateway.core.GatewayException;
import io.pushgateway.gateway.core.ReadRequest;
import io.pushgateway.gateway.core.ReadResult;
import io.pushgateway.gateway.transport.HttpReplies;
import io.pushgateway.gateway.transport.SubscriptionParams;
import io.pushgateway.gateway.transport.Transport;
import io.pushgateway.gateway.transport.TransportContext;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/** What the two polls share: reading the request into a log read, and answering. */
final class Polls {

  private Polls() {
  }

  /** Without a cursor the answer is immediate and empty: the client starts at "now". */
  static ReadRequest readRequest(HttpServerRequest request, GatewayConfig config) {
    SubscriptionParams params = SubscriptionParams.parse(request, config);
    int limit = SubscriptionParams.intParam(request, "limit", config.pollLimit(), 1, config.maxPollLimit());
    return new ReadRequest(params.topics(), params.cursor(), params.cursor().isEmpty() ? 0 : limit);
  }

  static void answer(HttpServerResponse response, ReadResult result, Transport transport, TransportContext context) {
    Buffer body = PollAnswer.encode(result);
    context.metrics().polled(transport, result.events().isEmpty());
    result.resets().forEach(r -> context.metrics().reset(transport));
    if (!result.events().isEmpty()) {
      context.metrics().delivered(transport, result.events().size(), body.length());
    }
    if (!response.closed()) {
      HttpReplies.json(response, 200, body);
    }
  }

  static void unavailable(HttpServerResponse response, TransportContext context) {
    HttpReplies.error(response, new GatewayException(ErrorCode.OVERLOADED, "history is unavailable, retry"),
      context.metrics());
  }
}
