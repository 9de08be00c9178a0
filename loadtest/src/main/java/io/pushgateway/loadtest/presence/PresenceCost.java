package io.pushgateway.loadtest.presence;

import io.pushgateway.loadtest.net.ByteCountingProxy;
import io.pushgateway.loadtest.net.NetworkProfile;
import io.pushgateway.loadtest.net.TrafficCounters;
import io.pushgateway.loadtest.target.ProcessStats;
import io.pushgateway.loadtest.target.SpawnedGateway;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * What presence costs: a room of {@code --subscribers} members per transport, all with
 * {@code presence=1}, while {@code --churn} more members join and leave one after another. Each
 * transport's subscribers connect through their own byte-counting proxy, so the report gives, per
 * transport, the bytes on the wire per subscriber per join or leave, and the presence frames (or
 * poll answers) each subscriber received; the gateway (spawned, its own process) gives its CPU per
 * change. Run twice: a room listed by name (below {@code maxPresenceMembers}) and one above it,
 * where changes go out as counts once a second.
 */
@Command(name = "presence-cost", mixinStandardHelpOptions = true, sortOptions = false,
  description = "Bytes and CPU per presence change (join or leave) on each transport, in a listed and a big room.")
public final class PresenceCost implements Callable<Integer> {

  /** The transports, as the gateway names them. */
  enum Kind { WS, SSE, LONG, SHORT }

  @Option(names = "--subscribers", description = "Members per transport in the room (default: ${DEFAULT-VALUE}).")
  int subscribers = 50;

  @Option(names = "--churn", description = "Members that join and then leave, one after another (default: ${DEFAULT-VALUE}).")
  int churn = 100;

  @Option(names = "--max-presence-members", split = ",",
    description = "The gateway's maxPresenceMembers for each run (default: ${DEFAULT-VALUE}: a listed room, then a big one).")
  List<Integer> maxMembers = List.of(1000, 10);

  @Option(names = "--poll-interval", description = "Short-poll interval, ms (default: ${DEFAULT-VALUE}).")
  int pollIntervalMillis = 1000;

  @Option(names = "--server-cpus", description = "taskset list the gateway is pinned to (default: none).")
  String serverCpus;

  public static void main(String[] args) {
    System.exit(new CommandLine(new PresenceCost()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    List<JsonObject> runs = new ArrayList<>();
    for (int max : maxMembers) {
      runs.add(run(max));
    }
    System.out.println(new JsonObject().put("presenceCost", new JsonArray(runs)).encode());
    return 0;
  }

  /** One room under one {@code maxPresenceMembers}: its figures per transport. */
  JsonObject run(int maxPresenceMembers) throws Exception {
    Vertx vertx = Vertx.vertx();
    SpawnedGateway gateway = SpawnedGateway.start(SpawnedGateway.MAIN_CLASS, "spawned",
      Path.of("loadtest-results", "presence-gateway.log"), SpawnedGateway.jvmOptions("-Xmx1g"),
      List.of("--set", "presenceNames=true", "--set", "maxPresenceMembers=" + maxPresenceMembers,
        "--set", "presenceGraceSeconds=1"), serverCpus);
    try {
      int port = gateway.endpoints().get(0).port();
      Map<Kind, ByteCountingProxy> proxies = new EnumMap<>(Kind.class);
      Map<Kind, List<Member>> members = new EnumMap<>(Kind.class);
      for (Kind kind : Kind.values()) {
        ByteCountingProxy proxy = ByteCountingProxy.start(vertx, "127.0.0.1", port, NetworkProfile.NONE, 1)
          .await(10, TimeUnit.SECONDS);
        proxies.put(kind, proxy);
        List<Member> list = new ArrayList<>();
        for (int i = 0; i < subscribers; i++) {
          list.add(Member.open(vertx, kind, proxy.port(), kind.name().toLowerCase() + i, pollIntervalMillis));
        }
        members.put(kind, list);
      }
      int everyone = subscribers * Kind.values().length;
      awaitMembers(vertx, port, everyone, maxPresenceMembers);
      // settle: the joins of the room itself are not what is measured
      vertx.timer(3000).await(10, TimeUnit.SECONDS);

      Map<Kind, TrafficCounters.Snapshot> before = new EnumMap<>(Kind.class);
      Map<Kind, Long> framesBefore = new EnumMap<>(Kind.class);
      for (Kind kind : Kind.values()) {
        before.put(kind, proxies.get(kind).counters().snapshot());
        framesBefore.put(kind, members.get(kind).stream().mapToLong(m -> m.frames.get()).sum());
      }
      long cpuBefore = gateway.pid().isPresent() ? ProcessStats.cpuMillis(gateway.pid().getAsLong()).orElse(0) : 0;
      long started = System.nanoTime();
      // the churn: each one joins, is seen in the room, and leaves
      for (int i = 0; i < churn; i++) {
        Member visitor = Member.open(vertx, Kind.WS, port, "visitor" + i, pollIntervalMillis);
        visitor.close();
      }
      awaitMembers(vertx, port, everyone, maxPresenceMembers);
      // what the pollers hold back (interval) and big rooms coalesce (1 s) has gone out
      vertx.timer(2500).await(10, TimeUnit.SECONDS);
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
      long cpuMillis = (gateway.pid().isPresent() ? ProcessStats.cpuMillis(gateway.pid().getAsLong()).orElse(0) : 0)
        - cpuBefore;
      int changes = 2 * churn;

      JsonObject transports = new JsonObject();
      for (Kind kind : Kind.values()) {
        TrafficCounters.Snapshot traffic = proxies.get(kind).counters().snapshot().minus(before.get(kind));
        long frames = members.get(kind).stream().mapToLong(m -> m.frames.get()).sum() - framesBefore.get(kind);
        transports.put(kind.name().toLowerCase(), new JsonObject()
          .put("bytesDownPerSubscriberPerChange", round((double) traffic.bytesDown() / subscribers / changes))
          .put("bytesUpPerSubscriberPerChange", round((double) traffic.bytesUp() / subscribers / changes))
          .put("framesPerSubscriber", round((double) frames / subscribers))
          .put("requests", traffic.httpRequests()));
      }
      for (List<Member> list : members.values()) {
        list.forEach(Member::close);
      }
      return new JsonObject()
        .put("maxPresenceMembers", maxPresenceMembers)
        .put("roomMembers", everyone)
        .put("listed", everyone <= maxPresenceMembers)
        .put("changes", changes)
        .put("seconds", seconds)
        .put("gatewayCpuMsPerChange", round((double) cpuMillis / changes))
        .put("transports", transports);
    } finally {
      gateway.close();
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }

  /** Waits (bounded) until the room counts {@code expected} members. */
  private static void awaitMembers(Vertx vertx, int port, int expected, int maxListed) throws Exception {
    HttpClient http = vertx.createHttpClient();
    // the request on an event loop: from this thread, its body could arrive before its handler is set
    Context context = vertx.getOrCreateContext();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    try {
      while (true) {
        JsonObject snapshot = Future.<Buffer>future(answer -> context.runOnContext(v -> http
            .request(HttpMethod.GET, port, "127.0.0.1", "/api/topics/" + Member.ROOM + "/presence")
            .compose(r -> r.send()).compose(r -> r.body()).onComplete(answer)))
          .await(10, TimeUnit.SECONDS).toJsonObject();
        if (snapshot.getJsonObject("counts").getInteger("members") == expected) {
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the room never counted " + expected + " members: " + snapshot.getJsonObject("counts"));
        }
        vertx.timer(100).await(5, TimeUnit.SECONDS);
      }
    } finally {
      http.close();
    }
  }

  /** One member of the room on one transport, counting the presence frames (or answers) it gets. */
  static final class Member {
    static final String ROOM = "presence-room";

    final AtomicLong frames = new AtomicLong();
    private final Vertx vertx;
    private WebSocketClient wsClient;
    private WebSocket socket;
    private HttpClient http;
    private volatile boolean closed;

    private Member(Vertx vertx) {
      this.vertx = vertx;
    }

    static Member open(Vertx vertx, Kind kind, int port, String name, int pollIntervalMillis) throws Exception {
      Member member = new Member(vertx);
      String query = "?topics=" + ROOM + "&presence=1&name=" + name + "&client=client-" + name;
      switch (kind) {
        case WS -> member.openWebSocket(port, query);
        case SSE -> member.openSse(port, query);
        case LONG, SHORT -> member.startPolling(port, query, kind == Kind.LONG, pollIntervalMillis);
      }
      return member;
    }

    private void openWebSocket(int port, String query) throws Exception {
      wsClient = vertx.createWebSocketClient();
      socket = wsClient.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws" + query))
        .await(20, TimeUnit.SECONDS);
      socket.textMessageHandler(text -> {
        if (text.startsWith("{\"op\":\"join\"") || text.startsWith("{\"op\":\"leave\"")
          || text.startsWith("{\"op\":\"occupancy\"")) {
          frames.incrementAndGet();
        }
      });
    }

    private void openSse(int port, String query) throws Exception {
      http = vertx.createHttpClient();
      http.request(HttpMethod.GET, port, "127.0.0.1", "/sse" + query)
        .compose(r -> r.send())
        .map(response -> {
          // by whole lines: TCP may cut an event anywhere, even inside its "event:" line
          StringBuilder partial = new StringBuilder();
          response.handler(chunk -> {
            partial.append(chunk.toString());
            int end;
            while ((end = partial.indexOf("\n")) >= 0) {
              if (partial.substring(0, end).equals("event: presence")) {
                frames.incrementAndGet();
              }
              partial.delete(0, end + 1);
            }
          });
          return response;
        })
        .await(20, TimeUnit.SECONDS);
    }

    private void startPolling(int port, String query, boolean longPoll, int intervalMillis) {
      http = vertx.createHttpClient(new HttpClientOptions(), new PoolOptions().setHttp1MaxSize(1));
      String path = (longPoll ? "/poll/long" : "/poll") + query + "&interval=" + Math.max(1, intervalMillis / 1000);
      poll(port, path, null, 0, longPoll, intervalMillis);
    }

    private void poll(int port, String path, String cursor, long seen, boolean longPoll, int intervalMillis) {
      if (closed) {
        return;
      }
      String uri = path + (cursor == null ? "" : "&cursor=" + cursor) + (seen > 0 ? "&presenceSeen=" + seen : "")
        + (longPoll ? "&timeout=25" : "");
      http.request(HttpMethod.GET, port, "127.0.0.1", uri)
        .compose(r -> r.send()).compose(r -> r.body())
        .onComplete(answer -> {
          if (closed) {
            return;
          }
          String next = cursor;
          long newest = seen;
          if (answer.succeeded()) {
            JsonObject body = answer.result().toJsonObject();
            next = body.getString("cursor");
            JsonObject snapshot = body.getJsonObject("presence", new JsonObject()).getJsonObject(ROOM);
            if (snapshot != null && snapshot.getLong("changed", 0L) > seen) {
              frames.incrementAndGet(); // an answer that tells something new
              newest = snapshot.getLong("changed");
            }
          }
          String c = next;
          long s = newest;
          if (longPoll && answer.succeeded()) {
            poll(port, path, c, s, true, intervalMillis);
          } else {
            vertx.setTimer(intervalMillis, t -> poll(port, path, c, s, longPoll, intervalMillis));
          }
        });
    }

    void close() {
      closed = true;
      List<Future<Void>> closing = new ArrayList<>();
      if (socket != null) {
        closing.add(socket.close());
      }
      if (wsClient != null) {
        closing.add(wsClient.close());
      }
      if (http != null) {
        closing.add(http.close());
      }
      try {
        Future.join(closing).await(10, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        // a member that does not close cleanly must not spoil the figures already taken
      }
    }
  }
}
