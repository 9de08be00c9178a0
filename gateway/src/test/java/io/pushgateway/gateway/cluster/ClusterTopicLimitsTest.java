package io.pushgateway.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.Gateway;
import io.pushgateway.gateway.config.GatewayConfig;
import io.pushgateway.gateway.metrics.GatewayMetrics;
import io.pushgateway.gateway.testing.StreamClient;
import io.pushgateway.gateway.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Topic bounds in cluster mode, on a one-member cluster in this process: {@code maxTopics}
 * (held against the map's size as last counted) refuses new topics with 503
 * {@code too_many_topics}; a topic idle for {@code topicIdleSeconds} is dropped by Hazelcast's
 * max-idle time unless a node's subscriber holds it, and a cursor from its old life gets a reset;
 * a poll's answer stops before {@code maxQueueBytes}; the topic listing pages through the names.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterTopicLimitsTest {

  private Vertx vertx;
  private Gateway gateway;
  private HttpClient http;

  @BeforeAll
  static void fastExpiry() {
    // Hazelcast looks for expired entries every 5 s by default; a test needs no such wait
    System.setProperty("hazelcast.internal.map.expiration.task.period.seconds", "1");
  }

  @AfterEach
  void stop() throws Exception {
    if (vertx != null) {
      vertx.close().await(60, TimeUnit.SECONDS);
    }
  }

  @Test
  void newTopicsOverTheLimitAreRefused() throws Exception {
    start(new JsonObject().put("maxTopics", 3).put("topicIdleSeconds", 0));
    for (String topic : new String[] {"t1", "t2", "t3"}) {
      assertThat(publish(topic).getInteger("status")).isEqualTo(201);
    }
    // the size is counted every two seconds: a few more may pass before it is
    JsonObject refused = null;
    for (int n = 0; refused == null && n < 400; n++) {
      JsonObject answer = publish("more" + n);
      if (answer.getInteger("status") != 201) {
        refused = answer;
      } else {
        vertx.timer(25).await(1, TimeUnit.SECONDS);
      }
    }
    assertThat(refused).as("a publish to a new topic refused").isNotNull();
    assertThat(refused.getInteger("status")).isEqualTo(503);
    assertThat(refused.getJsonObject("body").getJsonObject("error").getString("code")).isEqualTo("too_many_topics");
    assertThat(publish("t1").getInteger("status")).isEqualTo(201);
  }

  @Test
  void pollsForMadeUpTopicsCannotFillTheMapAgainstPublishers() throws Exception {
    start(new JsonObject().put("maxTopics", 5).put("topicIdleSeconds", 0));
    for (int i = 0; i < 10; i++) {
      assertThat(request(HttpMethod.GET, "/poll?topics=made" + i + "&cursor=made" + i + ":0").getInteger("status"))
        .isEqualTo(200);
    }
    // counted every two seconds: once the map holds its limit of empty histories, reads start no more
    waitFor(() -> gateway.log().topicCount() >= 5);
    for (int i = 0; i < 3; i++) {
      assertThat(publish("fresh" + i).getInteger("status")).as("fresh%d", i).isEqualTo(201);
    }
  }

  @Test
  void anIdleTopicIsDroppedAndItsOldCursorGetsAReset() throws Exception {
    // Hazelcast keeps entry times in whole seconds: one idle second could end at once
    start(new JsonObject().put("topicIdleSeconds", 3));
    for (int i = 0; i < 3; i++) {
      publish("ev");
    }
    String oldEpoch = request(HttpMethod.GET, "/api/topics/ev").getJsonObject("body").getString("epoch");
    // the relay saw the events; the expiry listener drops the head: an event, not a touch
    waitFor(() -> gateway.log().head("ev") != null);
    waitFor(() -> gateway.log().head("ev") == null);

    publish("ev");
    publish("ev");
    String newEpoch = request(HttpMethod.GET, "/api/topics/ev").getJsonObject("body").getString("epoch");
    assertThat(newEpoch).isNotEqualTo(oldEpoch);
    JsonObject answer = request(HttpMethod.GET, "/poll?topics=ev&cursor=ev:1:" + oldEpoch).getJsonObject("body");
    assertThat(answer.getJsonArray("resets").getList()).containsExactly(
      new JsonObject().put("topic", "ev").put("from", 1).put("epoch", newEpoch).getMap());
    assertThat(answer.getJsonArray("events")).extracting(e -> ((JsonObject) e).getLong("id")).containsExactly(1L, 2L);
  }

  @Test
  void aTopicWithASubscriberOnThisNodeIsKept() throws Exception {
    start(new JsonObject().put("topicIdleSeconds", 3));
    WsClient subscriber = new WsClient(vertx, gateway.port()).open("kept");
    try {
      publish("kept");
      publish("idle");
      waitFor(() -> gateway.log().head("kept") != null && gateway.log().head("idle") != null);
      String epoch = gateway.log().head("kept").epoch();
      waitFor(() -> gateway.log().head("idle") == null);
      // and once more, so "kept" has gone twice its idle time without a publish
      publish("idle2");
      waitFor(() -> gateway.log().head("idle2") != null);
      waitFor(() -> gateway.log().head("idle2") == null);
      // "idle" went after its idle time; "kept", published together, stayed in the same life
      assertThat(gateway.log().head("kept")).isNotNull();
      publish("kept");
      assertThat(subscriber.awaitEvents(2)).extracting(e -> e.getLong("id")).containsExactly(1L, 2L);
      assertThat(gateway.log().head("kept").epoch()).isEqualTo(epoch);
      assertThat(subscriber.controls()).noneMatch(c -> "reset".equals(c.getString("op")));
    } finally {
      subscriber.close();
    }
  }

  /** Past {@code historyMaxTotalBytes} over all topics, the least recently published keep only their newest event. */
  @Test
  void theTotalHistoryBudgetTrimsTheLeastRecentlyPublishedTopics() throws Exception {
    start(new JsonObject().put("historyMaxTotalBytes", 45_000).put("topicIdleSeconds", 0));
    String data = new JsonObject().put("p", "x".repeat(5000)).encode();
    for (int t = 1; t <= 5; t++) {
      for (int i = 0; i < 4; i++) {
        assertThat(publish("b" + t, data).getInteger("status")).isEqualTo(201);
      }
    }
    // 5 x 4 x 5 KB against 45 KB: b1 to b4 go down to their newest event, b5 keeps all of its four
    waitFor(() -> oldestId("b4") == 4);
    for (String topic : new String[] {"b1", "b2", "b3"}) {
      assertThat(oldestId(topic)).as(topic).isEqualTo(4);
    }
    assertThat(oldestId("b5")).isEqualTo(1);
    // a topic published to again is recent: its new events are kept beside its newest old one
    assertThat(publish("b1", data).getInteger("status")).isEqualTo(201);
    assertThat(request(HttpMethod.GET, "/poll?topics=b1&cursor=b1:3:" + epoch("b1")).getJsonObject("body")
      .getJsonArray("events")).extracting(e -> ((JsonObject) e).getLong("id")).containsExactly(4L, 5L);
  }

  @Test
  void aPollAnswerEndsBeforeMaxQueueBytesAndTheRestFollowInOrder() throws Exception {
    start(new JsonObject().put("maxQueueBytes", 20_000).put("topicIdleSeconds", 0));
    String data = new JsonObject().put("p", "x".repeat(5000)).encode();
    List<String> published = new ArrayList<>();
    for (String topic : new String[] {"s1", "s2"}) {
      for (int i = 1; i <= 5; i++) {
        assertThat(publish(topic, data).getInteger("status")).isEqualTo(201);
        published.add(topic + ":" + i);
      }
    }
    List<String> received = new ArrayList<>();
    List<Integer> answers = new ArrayList<>();
    String cursor = "s1:0,s2:0";
    boolean more = true;
    while (more && answers.size() < 10) {
      JsonObject answer = request(HttpMethod.GET, "/poll?topics=s1,s2&cursor=" + cursor + "&limit=100").getJsonObject("body");
      answers.add(answer.getJsonArray("events").size());
      answer.getJsonArray("events").forEach(e -> received.add(((JsonObject) e).getString("topic") + ":"
        + ((JsonObject) e).getLong("id")));
      cursor = answer.getString("cursor");
      more = answer.getBoolean("more");
    }
    // three events of 5 kB within 20 kB per answer, read and sent by the topic's owner
    assertThat(answers).containsExactly(3, 3, 3, 1);
    assertThat(received).as("each event once, in order").isEqualTo(published);
  }

  private long oldestId(String topic) {
    try {
      return request(HttpMethod.GET, "/api/topics/" + topic).getJsonObject("body").getLong("oldestId");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The listing pages through the topics with events in name order, as on one node; listings share
   * the last scan of the names for a second or so, so a new topic is listed within a few.
   */
  @Test
  void theTopicListingPagesInNameOrderAndShowsANewTopicSoon() throws Exception {
    start(new JsonObject());
    for (String topic : new String[] {"b.2", "a.1", "b.1", "c.1"}) {
      assertThat(publish(topic).getInteger("status")).isEqualTo(201);
    }
    waitFor(() -> listing("/api/topics").getJsonArray("topics").size() == 4);
    JsonObject first = listing("/api/topics?prefix=b.&limit=1");
    assertThat(first.getJsonArray("topics")).containsExactly("b.1");
    JsonObject second = listing("/api/topics?prefix=b.&limit=1&after=" + first.getString("next"));
    assertThat(second.getJsonArray("topics")).containsExactly("b.2");
    assertThat(listing("/api/topics?prefix=b.&limit=1&after=b.2").getJsonArray("topics")).isEmpty();

    assertThat(publish("a.0").getInteger("status")).isEqualTo(201);
    waitFor(() -> listing("/api/topics").getJsonArray("topics").contains("a.0"));
    assertThat(listing("/api/topics").getJsonArray("topics")).containsExactly("a.0", "a.1", "b.1", "b.2", "c.1");
  }

  private JsonObject listing(String uri) {
    try {
      JsonObject answer = request(HttpMethod.GET, uri);
      assertThat(answer.getInteger("status")).as(answer.encode()).isEqualTo(200);
      return answer.getJsonObject("body");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private String epoch(String topic) throws Exception {
    return request(HttpMethod.GET, "/api/topics/" + topic).getJsonObject("body").getString("epoch");
  }

  private void start(JsonObject options) throws Exception {
    int hazelcastPort = GatewayProcess.freePort();
    GatewayConfig config = GatewayConfig.fromJson(options.copy()
      .put("port", 0).put("host", "127.0.0.1").put("instances", 1)
      .put("cluster", true).put("clusterHost", "127.0.0.1").put("clusterPort", hazelcastPort)
      .put("clusterMembers", "127.0.0.1:" + hazelcastPort));
    ClusterNode node = ClusterNode.join(config, Vertx.builder().with(ClusterNode.options(config)))
      .await(90, TimeUnit.SECONDS);
    vertx = node.vertx();
    gateway = Gateway.deploy(node, config, new GatewayMetrics()).await(60, TimeUnit.SECONDS);
    http = vertx.createHttpClient();
  }

  private JsonObject publish(String topic) throws Exception {
    return publish(topic, "{\"n\":1}");
  }

  private JsonObject publish(String topic, String data) throws Exception {
    return request(HttpMethod.POST, "/api/topics/" + topic + "/events", data);
  }

  private JsonObject request(HttpMethod method, String uri) throws Exception {
    return request(method, uri, null);
  }

  /** {@code {"status":…,"body":{…}}}. */
  private JsonObject request(HttpMethod method, String uri, String payload) throws Exception {
    RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(gateway.port())
      .setURI(uri).putHeader("Content-Type", "application/json");
    // on an event loop: from the test's thread, a body may arrive before its handler is set
    return StreamClient.onContext(vertx.getOrCreateContext(), () -> http.request(options)
      .compose(r -> payload != null ? r.send(Buffer.buffer(payload)) : r.send())
      .compose(r -> r.body().map(body -> new JsonObject().put("status", r.statusCode())
        .put("body", body.length() == 0 ? new JsonObject() : new JsonObject(body)))))
      .await(30, TimeUnit.SECONDS);
  }

  /** A bounded wait on a condition, checked every 50 ms. */
  private void waitFor(java.util.function.BooleanSupplier condition) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waited 60 s").isLessThan(deadline);
      vertx.timer(50).await(1, TimeUnit.SECONDS);
    }
  }
}
