package io.pushgateway.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.core.Transport;
import io.pushgateway.gateway.testing.StreamClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Presence across three gateway processes on loopback: 5 WebSocket, 5 SSE and 5 short-poll
 * members on different nodes are listed by every node within 2 s; the pollers stop and every
 * node drops them within their lease; a node killed with {@code kill -9} has its members removed
 * from the others; observers on each transport see each join and each leave once.
 */
@Tag("cluster")
class ClusterPresenceTest {

  private static final String ROOM = "cluster-room";
  @RegisterExtension
  static final GatewayCluster cluster = GatewayCluster.of(3, "presence",
    "--set", "presenceNames=true", "--set", "presenceGraceSeconds=1");
  private static final List<GatewayProcess> nodes = cluster.nodes();
  private static Vertx vertx;
  private static HttpClient http;

  @BeforeAll
  static void startClient() {
    vertx = Vertx.vertx();
    http = vertx.createHttpClient();
  }

  @AfterAll
  static void stopClient() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void membersAreTheSameOnEveryNodeAndLeaveWhenTheyStopOrTheirNodeDies() throws Exception {
    // anonymous observers on node a, one per transport: they are counted, not listed
    Map<Transport, StreamClient> observers = new java.util.EnumMap<>(Transport.class);
    for (Transport transport : Transport.values()) {
      observers.put(transport, StreamClient.create(transport, vertx, nodes.get(0).port())
        .query("presence=1&client=observer-" + transport.label() + "&interval=1").open(ROOM));
    }
    List<StreamClient> members = new ArrayList<>();
    List<String> names = new ArrayList<>();
    List<String> onNodeC = new ArrayList<>();
    try {
      for (Transport transport : List.of(Transport.WS, Transport.SSE, Transport.SHORT)) {
        for (int i = 0; i < 5; i++) {
          String name = transport.label() + i;
          int node = (i + transport.ordinal()) % 3;
          members.add(StreamClient.create(transport, vertx, nodes.get(node).port())
            .query("presence=1&name=" + name + "&client=client-" + name + "&interval=1").open(ROOM));
          names.add(name);
          if (node == 2 && transport != Transport.SHORT) {
            onNodeC.add(name);
          }
        }
      }
      long opened = System.nanoTime();
      awaitOnEveryNode(nodes, snapshot -> memberIds(snapshot).containsAll(names) && memberIds(snapshot).size() == 15,
        Duration.ofSeconds(10), "15 members");
      long listedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - opened);
      System.out.println("15 members listed by all three nodes " + listedMillis + " ms after the last client opened");
      assertThat(listedMillis).as("members listed by every node").isLessThan(2_000);

      // the pollers stop: gone from every node within interval (1 s) + grace (1 s) + a tick
      long stopped = System.nanoTime();
      for (StreamClient member : members.subList(10, 15)) {
        member.close();
      }
      awaitOnEveryNode(nodes, snapshot -> memberIds(snapshot).size() == 10, Duration.ofSeconds(10), "10 members");
      System.out.println("stopped pollers left every node after "
        + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped) + " ms");

      // kill -9: node c's push members leave the others within Hazelcast's failure detection
      long killed = System.nanoTime();
      nodes.get(2).kill();
      List<GatewayProcess> alive = nodes.subList(0, 2);
      awaitOnEveryNode(alive, snapshot -> memberIds(snapshot).size() == 10 - onNodeC.size()
        && onNodeC.stream().noneMatch(memberIds(snapshot)::contains), Duration.ofSeconds(30), "node c's members gone");
      System.out.println(onNodeC + " of the killed node left the others after "
        + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed) + " ms");

      // the push observers saw every join and every leave once
      for (Transport transport : List.of(Transport.WS, Transport.SSE)) {
        List<JsonObject> frames = observers.get(transport).presence();
        for (String name : names) {
          assertThat(frames).as(transport + " joins of " + name)
            .filteredOn(f -> f.getString("op").equals("join") && name.equals(member(f))).hasSize(1);
        }
        for (String name : concat(names.subList(10, 15), onNodeC)) {
          observers.get(transport).awaitPresence(f -> f.getString("op").equals("leave") && name.equals(member(f)),
            name + " left");
          assertThat(observers.get(transport).presence()).as(transport + " leaves of " + name)
            .filteredOn(f -> f.getString("op").equals("leave") && name.equals(member(f))).hasSize(1);
        }
      }
      // the pollers saw the list, not a replay: at one point all fifteen, now the ten minus node c's
      for (Transport transport : List.of(Transport.LONG, Transport.SHORT)) {
        StreamClient observer = observers.get(transport);
        observer.awaitPresence(f -> memberIds(f).size() == 15, "fifteen listed");
        observer.awaitPresence(f -> memberIds(f).size() == 10 - onNodeC.size(), "the survivors listed");
      }
    } finally {
      for (StreamClient client : concat(members, List.copyOf(observers.values()))) {
        try {
          client.close();
        } catch (Exception ignored) {
          // its node may be dead
        }
      }
    }
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private static String member(JsonObject frame) {
    return frame.getJsonObject("member").getString("id");
  }

  private static List<String> memberIds(JsonObject snapshot) {
    return snapshot.getJsonArray("members").stream().map(m -> ((JsonObject) m).getString("id")).toList();
  }

  private static void awaitOnEveryNode(List<GatewayProcess> on, Predicate<JsonObject> condition, Duration timeout,
                                       String what) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<JsonObject> snapshots = new ArrayList<>();
      for (GatewayProcess node : on) {
        snapshots.add(presence(node));
      }
      if (snapshots.stream().allMatch(condition)) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("not every node shows " + what + ": " + snapshots);
      }
      vertx.timer(20).await(1, TimeUnit.SECONDS);
    }
  }

  private static JsonObject presence(GatewayProcess node) throws Exception {
    return StreamClient.onContext(vertx.getOrCreateContext(), () -> http.request(HttpMethod.GET, node.port(), "127.0.0.1",
        "/api/topics/" + ROOM + "/presence")
      .compose(r -> r.send())
      .compose(r -> r.body()))
      .await(10, TimeUnit.SECONDS).toJsonObject();
  }
}
