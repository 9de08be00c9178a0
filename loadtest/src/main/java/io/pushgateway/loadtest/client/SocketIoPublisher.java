package io.pushgateway.loadtest.client;

import io.pushgateway.loadtest.stats.PublishSchedule;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;

/**
 * Publishes to Socket.IO over its WebSocket transport: once connected to the default namespace,
 * each event is an emit with an ack, {@code 42<n>["publish",{"room":…,"data":{…}}]}, answered by
 * {@code 43<n>[{"ok":true}]}; the server sends {@code event} with the data to the room.
 */
public final class SocketIoPublisher extends Publisher {
  private final WebSocketClient client;
  private final Promise<Void> connected = Promise.promise();
  private WebSocket socket;

  public SocketIoPublisher(Context context, WebSocketClient client, Endpoint endpoint, String topic,
                           PublishSchedule schedule, int payloadBytes, PayloadFill fill) {
    super(context, endpoint, topic, schedule, payloadBytes, fill, 1);
    this.client = client;
  }

  @Override
  public Future<Void> connect() {
    context.runOnContext(v -> client
      .connect(new WebSocketConnectOptions().setHost(endpoint.host()).setPort(endpoint.port())
        .setURI(SocketIoPollClient.WEBSOCKET))
      .onSuccess(ws -> {
        socket = ws;
        ws.textMessageHandler(this::onPacket);
        ws.closeHandler(c -> done.tryFail("publisher connection closed by Socket.IO"));
      })
      .onFailure(connected::tryFail));
    return connected.future();
  }

  private void onPacket(String packet) {
    if (packet.startsWith("0")) {
      socket.writeTextMessage("40");
    } else if (packet.startsWith("40")) {
      connected.tryComplete();
    } else if (packet.equals("2")) {
      socket.writeTextMessage("3");
    } else if (packet.startsWith("43")) {
      (packet.contains("\"ok\":true") ? acked : rejected).increment();
    }
  }

  @Override
  protected void send(long seq, long due) {
    schedule.markSent(seq, System.nanoTime());
    socket.writeTextMessage("42" + seq + "[\"publish\",{\"room\":\"" + topic + "\",\"data\":" + data(seq, due) + "}]");
  }

  @Override
  public Future<Void> close() {
    done.tryComplete();
    return socket == null ? Future.succeededFuture() : socket.close((short) 1000);
  }
}
