package io.pushgateway.gateway.transport;

import io.pushgateway.gateway.http.HttpReplies;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * Where a poll's answer goes: Vert.x's response to the request ({@link #of}), or a re-poll served
 * below Vert.x ({@code transport.netty.RePollShortcut}). Either way the same JSON answer, byte for
 * byte.
 */
public interface PollReply {

  /** Whether the client went away (or the answer went out): nothing more can be sent. */
  boolean closed();

  /** Runs {@code action} once if the connection closes before the answer. */
  void onClose(Runnable action);

  /** The answer: {@code status} and a JSON {@code body}. */
  void json(int status, Buffer body);

  /** The request's method and path, for the log (never its query, which may hold a token). */
  String served();

  /** Answers the request Vert.x handed over. */
  static PollReply of(HttpServerRequest request) {
    HttpServerResponse response = request.response();
    return new PollReply() {
      @Override
      public boolean closed() {
        return response.closed();
      }

      @Override
      public void onClose(Runnable action) {
        response.closeHandler(v -> action.run());
      }

      @Override
      public void json(int status, Buffer body) {
        HttpReplies.json(response, status, body);
      }

      @Override
      public String served() {
        return request.method() + " " + request.path();
      }
    };
  }
}
