package io.pushgateway.gateway.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.core.Transport;
import io.pushgateway.gateway.testing.StreamClient;
import io.pushgateway.gateway.testing.TestGateway;
import io.pushgateway.gateway.testing.WsClient;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** 100 subscribers on each transport at once all receive the same 1,000 events, in order. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FanOutTest {

  private static final int PER_TRANSPORT = 100;
  private static final int EVENTS = 1000;

  @RegisterExtension
  static final TestGateway gateway = TestGateway.forAllTests(new JsonObject().put("historySize", EVENTS));

  @Test
  void everySubscriberOfEveryTransportReceivesEveryEventInOrder() throws Exception {
    String topic = "fanout";
    gateway.publish(topic, "before"); // id 1: a starting point for every cursor
    List<StreamClient> clients = new ArrayList<>();
    try {
      for (Transport transport : Transport.values()) {
        for (int i = 0; i < PER_TRANSPORT; i++) {
          clients.add(StreamClient.create(transport, gateway.vertx, gateway.port()).open(topic, topic + ":1"));
        }
      }
      WsClient publisher = new WsClient(gateway.vertx, gateway.port()).open("fanout-publisher");
      for (int n = 1; n <= EVENTS; n++) {
        publisher.send(new JsonObject().put("op", "publish").put("topic", topic).put("data", n).put("ref", "r" + n));
      }
      List<Long> expected = LongStream.rangeClosed(2, EVENTS + 1).boxed().toList();
      for (StreamClient client : clients) {
        client.awaitEvents(EVENTS, Duration.ofSeconds(60));
        assertThat(client.ids(topic)).as(client.getClass().getSimpleName()).containsExactlyElementsOf(expected);
        assertThat(client.events()).extracting(e -> e.getInteger("data"))
          .containsExactlyElementsOf(LongStream.rangeClosed(1, EVENTS).mapToObj(n -> (int) n).toList());
      }
      publisher.close();
    } finally {
      for (StreamClient client : clients) {
        client.close();
      }
    }
  }
}
