package io.pushgateway.loadtest.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

class HttpRequestCounterTest {

  private static TrafficCounters.Snapshot feed(String... chunks) {
    TrafficCounters c = new TrafficCounters(0, TrafficCounters.Sampling.OPENED);
    TrafficCounters.Connection connection = c.newConnection();
    HttpRequestCounter counter = new HttpRequestCounter(c, connection::upgraded);
    for (String s : chunks) {
      counter.feed(Buffer.buffer(s));
    }
    return c.snapshot();
  }

  @Test
  void countsPipelinedRequestsSplitAnywhere() {
    String two = "GET /poll?topics=a HTTP/1.1\r\nHost: x\r\n\r\nGET /poll?topics=a&cursor=a:1 HTTP/1.1\r\nHost: x\r\n\r\n";
    assertThat(feed(two).httpRequests()).isEqualTo(2);
    assertThat(feed(two.substring(0, 17), two.substring(17, 45), two.substring(45)).httpRequests()).isEqualTo(2);
  }

  @Test
  void skipsBodiesByContentLengthAndChunks() {
    String body = "GET / HTTP/1.1\r\n\r\n";
    assertThat(feed("POST /api/topics/a/events HTTP/1.1\r\nContent-Length: " + body.length() + "\r\n\r\n" + body
      + "GET /health HTTP/1.1\r\n\r\n").httpRequests()).isEqualTo(2);
    assertThat(feed("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nGET /\r\n0\r\n\r\n"
      + "GET /health HTTP/1.1\r\n\r\n").httpRequests()).isEqualTo(2);
  }

  @Test
  void anUpgradeMakesTheRestOpaque() {
    TrafficCounters.Snapshot s = feed("GET /ws?topics=a HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
      "GET / HTTP/1.1\r\n\r\n");
    assertThat(s.httpRequests()).isEqualTo(1);
    assertThat(s.upgrades()).isEqualTo(1);
  }
}
