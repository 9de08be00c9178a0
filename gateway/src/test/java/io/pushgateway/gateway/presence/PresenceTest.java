package io.pushgateway.gateway.presence;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.core.Transport;
import io.pushgateway.gateway.testing.Eventually;
import io.pushgateway.gateway.testing.PollClient;
import io.pushgateway.gateway.testing.SseClient;
import io.pushgateway.gateway.testing.StreamClient;
import io.pushgateway.gateway.testing.TestGateway;
import io.pushgateway.gateway.testing.TestTokens;
import io.pushgateway.gateway.testing.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Presence over the real wire on one node: members and counts per transport, one member for
 * several connections, pollers that leave when they stop polling, big rooms that send counts,
 * the bounds, the refusals, and identities taken from tokens.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PresenceTest {

  @TempDir
  Path dir;

  private final List<StreamClient> clients = new ArrayList<>();
  private TestGateway gateway;

  @AfterEach
  void stop() throws Exception {
    for (StreamClient client : clients) {
      client.close();
    }
    if (gateway != null) {
      gateway.close();
    }
  }

  private <T extends StreamClient> T open(T client, String topics) throws Exception {
    clients.add(client);
    client.open(topics);
    return client;
  }

  private JsonObject presence(String topic) throws Exception {
    TestGateway.Reply reply = gateway.get("/api/topics/" + topic + "/presence");
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    return reply.json();
  }

  private static List<String> ids(JsonObject snapshot) {
    return snapshot.getJsonArray("members").stream().map(m -> ((JsonObject) m).getString("id")).toList();
  }

  @Test
  void membersAndCountsOverEveryTransportOneMemberPerIdentity() throws Exception {
    gateway = TestGateway.start(new JsonObject().put("presenceNames", true));
    int port = gateway.port();
    open(new WsClient(gateway.vertx, port).query("presence=1&name=ann"), "lobby");
    SseClient annAgain = open((SseClient) new SseClient(gateway.vertx, port).query("presence=1&name=ann"), "lobby");
    open(new SseClient(gateway.vertx, port).query("presence=1&name=bob"), "lobby");
    open(new PollClient(gateway.vertx, port, true).query("presence=1&name=cid&client=cid-client-1"), "lobby");
    open(new PollClient(gateway.vertx, port, false).query("presence=1&name=dan&client=dan-client-1&interval=1"), "lobby");
    StreamClient anonymous = open(new WsClient(gateway.vertx, port).query("presence=1"), "lobby"); // counted, not listed

    Eventually.check(gateway.vertx, () -> {
      JsonObject snapshot = presence("lobby");
      assertThat(ids(snapshot)).containsExactly("ann", "bob", "cid", "dan");
      assertThat(snapshot.getJsonObject("counts").getMap()).containsEntry("members", 4).containsEntry("connections", 6)
        .containsEntry("anonymous", 1).containsEntry("ws", 2).containsEntry("sse", 2).containsEntry("long", 1)
        .containsEntry("short", 1);
      JsonObject ann = snapshot.getJsonArray("members").getJsonObject(0);
      assertThat(ann.getJsonArray("transports")).containsExactlyInAnyOrder("ws", "sse");
      assertThat(ann.getInteger("connections")).isEqualTo(2);
      assertThat(snapshot.getBoolean("truncated")).isFalse();
    });

    // one of ann's two connections goes: ann stays, on the other one; the anonymous reader goes too
    // (the snapshot asked for above is not handed out again once the room changed)
    annAgain.close();
    anonymous.close();
    Eventually.check(gateway.vertx, () -> {
      JsonObject snapshot = presence("lobby");
      JsonObject ann = snapshot.getJsonArray("members").getJsonObject(0);
      assertThat(ann.getString("id")).isEqualTo("ann");
      assertThat(ann.getJsonArray("transports")).containsExactly("ws");
      assertThat(snapshot.getJsonObject("counts").getMap()).containsEntry("connections", 4)
        .containsEntry("anonymous", 0);
    });
    assertThat(gateway.get("/api/topics/empty-room/presence").json().getJsonObject("counts").getInteger("members"))
      .isZero();
  }

  @Test
  void joinsAndLeavesArriveOnceEachAndAPollerThatStopsLeavesWithinItsLease() throws Exception {
    gateway = TestGateway.start(new JsonObject().put("presenceNames", true).put("presenceGraceSeconds", 1));
    int port = gateway.port();
    WsClient watcher = open((WsClient) new WsClient(gateway.vertx, port).query("presence=1&name=watcher"), "room");
    watcher.awaitPresence(f -> f.getString("op").equals("join") && member(f).equals("watcher"), "its own join");

    PollClient poller = open((PollClient) new PollClient(gateway.vertx, port, false)
      .query("presence=1&name=pat&client=pat-client-1&interval=1"), "room");
    watcher.awaitPresence(f -> f.getString("op").equals("join") && member(f).equals("pat"), "pat joined");
    long stoppedAt = System.nanoTime();
    poller.close();
    watcher.awaitPresence(f -> f.getString("op").equals("leave") && member(f).equals("pat"), "pat left");
    // the lease: interval (1 s) + grace (1 s), ended by a tick of at most a second
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt)).isLessThan(10_000);

    // a member that comes back is one join more, never a duplicate of the first
    assertThat(watcher.presence()).filteredOn(f -> f.getString("op").equals("join") && member(f).equals("pat")).hasSize(1);
    assertThat(watcher.presence()).filteredOn(f -> f.getString("op").equals("leave") && member(f).equals("pat")).hasSize(1);
    JsonObject leave = watcher.presence().stream().filter(f -> f.getString("op").equals("leave")).findFirst().orElseThrow();
    assertThat(leave.getJsonObject("counts").getInteger("members")).isEqualTo(1);
  }

  @Test
  void aLongPollWakesWhenSomeoneJoinsAndSeesTheListNotAReplay() throws Exception {
    gateway = TestGateway.start(new JsonObject().put("presenceNames", true));
    int port = gateway.port();
    PollClient poller = open((PollClient) new PollClient(gateway.vertx, port, true)
      .query("presence=1&name=lou&client=lou-client-1"), "hall");
    poller.awaitPresence(f -> ids(f).equals(List.of("lou")), "itself listed");
    WsClient ann = open((WsClient) new WsClient(gateway.vertx, port).query("presence=1&name=ann"), "hall");
    // the poll waits up to 5 s for events: a join answers it at once
    long joined = System.nanoTime();
    poller.awaitPresence(f -> ids(f).contains("ann"), "ann listed");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - joined)).isLessThan(4_000);
    ann.close();
    poller.awaitPresence(f -> ids(f).equals(List.of("lou")) && poller.presence().stream().anyMatch(g -> ids(g).contains("ann")),
      "ann gone again");
    assertThat(poller.events()).isEmpty();
  }

  @Test
  void aPollerThatSaysWhatItSawGetsTheMembersOnlyWhenTheyChanged() throws Exception {
    gateway = TestGateway.start(new JsonObject().put("presenceNames", true));
    JsonObject first = gateway.get("/poll?topics=den&presence=1&name=pia&client=pia-client-1").json()
      .getJsonObject("presence").getJsonObject("den");
    assertThat(ids(first)).containsExactly("pia");
    long changed = first.getLong("changed");
    JsonObject same = gateway.get("/poll?topics=den&presence=1&name=pia&client=pia-client-1&presenceSeen=" + changed)
      .json().getJsonObject("presence").getJsonObject("den");
    assertThat(same.getBoolean("unchanged")).isTrue();
    assertThat(same.containsKey("members")).isFalse();
    assertThat(same.getJsonObject("counts").getInteger("members")).isEqualTo(1);
    open(new WsClient(gateway.vertx, gateway.port()).query("presence=1&name=ann"), "den");
    JsonObject after = gateway.get("/poll?topics=den&presence=1&name=pia&client=pia-client-1&presenceSeen=" + changed)
      .json().getJsonObject("presence").getJsonObject("den");
    assertThat(ids(after)).containsExactly("pia", "ann");
    assertThat(after.getLong("changed")).isGreaterThan(changed);
  }

  @Test
  void bigRoomsSendCountsOnceASecondInsteadOfNames() throws Exception {
    gateway = TestGateway.start(new JsonObject().put("presenceNames", true).put("maxPresenceMembers", 2));
    int port = gateway.port();
    WsClient watcher = open((WsClient) new WsClient(gateway.vertx, port).query("presence=1&name=m0"), "arena");
    for (int i = 1; i <= 4; i++) {
      open(new WsClient(gateway.vertx, port).query("presence=1&name=m" + i), "arena");
    }
    watcher.awaitPresence(f -> f.getString("op").equals("occupancy")
      && f.getJsonObject("counts").getInteger("members") == 5, "counts of five members");
    assertThat(watcher.presence()).filteredOn(f -> f.getString("op").equals("join")).extracting(PresenceTest::member)
      .containsExactly("m0", "m1");
    JsonObject snapshot = presence("arena");
    assertThat(snapshot.getJsonArray("members")).hasSize(2);
    assertThat(snapshot.getBoolean("truncated")).isTrue();
    assertThat(snapshot.getJsonObject("counts").getInteger("members")).isEqualTo(5);
  }

  @Test
  void churnIsToldAtMostSoManyChangesASecondAndThenItsOutcome() throws Exception {
    // the churn's own commands are not rate-limited here: the room's budget must hold without it
    gateway = TestGateway.start(new JsonObject().put("presenceNames", true).put("maxPresenceChangesPerSecond", 3)
      .put("commandRatePerConnection", 0));
    int port = gateway.port();
    WsClient watcher = open((WsClient) new WsClient(gateway.vertx, port).query("presence=1&name=watcher"), "hall");
    watcher.awaitPresence(f -> f.getString("op").equals("join") && member(f).equals("watcher"), "its own join");
    // two readers of the room join and leave in a loop: one ends in the room, the other out of it
    WsClient churn = open((WsClient) new WsClient(gateway.vertx, port).query("name=churn"), "side");
    WsClient quitter = open((WsClient) new WsClient(gateway.vertx, port).query("name=quitter"), "side");
    int loops = 60;
    for (int i = 0; i < loops; i++) {
      for (WsClient client : List.of(churn, quitter)) {
        client.send(new JsonObject().put("op", "subscribe").put("topic", "hall").put("presence", true));
        client.send(new JsonObject().put("op", "unsubscribe").put("topic", "hall"));
      }
    }
    churn.send(new JsonObject().put("op", "subscribe").put("topic", "hall").put("presence", true));
    Eventually.check(gateway.vertx, () -> assertThat(ids(presence("hall"))).containsExactly("watcher", "churn"));
    // the list a client keeps (its snapshot, then the changes) ends right, within a tick
    Eventually.check(gateway.vertx, () -> assertThat(keptList(watcher)).containsExactly("watcher", "churn"));

    long changesTold = watcher.presence().stream().filter(f -> !f.getString("op").equals("presence")).count();
    // 241 joins and leaves; three a second one by one, at most one per member at each tick
    assertThat(changesTold).isLessThan(20);
  }

  /** The members a client lists: its snapshot, then each join of one it does not list and each leave of one it does. */
  private static List<String> keptList(StreamClient client) {
    List<String> members = new ArrayList<>();
    for (JsonObject frame : client.presence()) {
      switch (frame.getString("op")) {
        case "presence" -> {
          members.clear();
          members.addAll(ids(frame));
        }
        case "join" -> {
          if (!members.contains(member(frame))) {
            members.add(member(frame));
          }
        }
        case "leave" -> members.remove(member(frame));
        default -> { }
      }
    }
    return members;
  }

  @Test
  void presenceIsBoundedAndBadRequestsAreRefusedWithTheirCodes() throws Exception {
    gateway = TestGateway.start(new JsonObject().put("maxPresenceOccupants", 2));
    int port = gateway.port();
    open(new WsClient(gateway.vertx, port).query("presence=1"), "full");
    open(new WsClient(gateway.vertx, port).query("presence=1"), "full");
    // a third push connection is subscribed but not listed: an error frame says so
    WsClient third = open((WsClient) new WsClient(gateway.vertx, port).query("presence=1"), "full");
    Eventually.check(gateway.vertx, () -> assertThat(third.controls()).anyMatch(f -> "error".equals(f.getString("op"))
      && "overloaded".equals(f.getString("code"))));
    // a poller is refused outright
    TestGateway.Reply poll = gateway.get("/poll?topics=full&presence=1&client=refused-client&cursor=full:0");
    assertThat(poll.status()).isEqualTo(503);
    assertThat(poll.errorCode()).isEqualTo("overloaded");
    assertThat(presence("full").getJsonObject("counts").getInteger("connections")).isEqualTo(2);

    for (String query : List.of("presence=yes", "presence=1&name=ann", "presence=1&client=short",
      "presence=1&client=" + "x".repeat(65), "presence=1&presenceSeen=-1", "presence=1&presenceSeen=soon")) {
      // a WebSocket has no client id nor presenceSeen: it is one connection
      List<String> paths = query.contains("client") || query.contains("Seen") ? List.of("/poll", "/poll/long")
        : List.of("/sse", "/poll", "/poll/long", "/ws");
      for (String path : paths) {
        TestGateway.Reply reply = gateway.get(path + "?topics=t&cursor=t:0&" + query);
        assertThat(reply.status()).as(path + "?" + query).isEqualTo(400);
        assertThat(reply.errorCode()).as(path + "?" + query).isEqualTo("invalid_parameter");
      }
    }
    assertThat(gateway.get("/api/topics/-bad/presence").errorCode()).isEqualTo("invalid_topic");

    WsClient ws = open(new WsClient(gateway.vertx, port), "other");
    ws.send(new JsonObject().put("op", "subscribe").put("topic", "x").put("presence", "yes").put("ref", "a"));
    ws.send(new JsonObject().put("op", "presence").put("ref", "b"));
    ws.send(new JsonObject().put("op", "presence").put("topic", "full").put("ref", "c"));
    Eventually.check(gateway.vertx, () -> {
      assertThat(refCode(ws, "a")).isEqualTo("invalid_parameter");
      assertThat(refCode(ws, "b")).isEqualTo("invalid_topic");
      assertThat(ws.controls()).anyMatch(f -> "c".equals(f.getString("ref")) && "presence".equals(f.getString("op"))
        && f.getJsonObject("counts").getInteger("connections") == 2);
    });
  }

  @Test
  void oneAddressCannotFillPresenceWithPollers() throws Exception {
    gateway = TestGateway.start(new JsonObject().put("maxPresencePollersPerIp", 3));
    for (int i = 0; i < 3; i++) {
      assertThat(gateway.get("/poll?topics=crowd&presence=1&client=flood-client-" + i).status()).isEqualTo(200);
    }
    // renewing its own lease is never refused
    assertThat(gateway.get("/poll?topics=crowd&presence=1&client=flood-client-0").status()).isEqualTo(200);
    TestGateway.Reply refused = gateway.get("/poll?topics=crowd&presence=1&client=flood-client-3");
    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.errorCode()).isEqualTo("rate_limited");
    assertThat(presence("crowd").getJsonObject("counts").getInteger("connections")).isEqualTo(3);
    // a WebSocket from the same address is a connection, bounded by the connection limits instead
    open(new WsClient(gateway.vertx, gateway.port()).query("presence=1"), "crowd");
    Eventually.check(gateway.vertx, () ->
      assertThat(presence("crowd").getJsonObject("counts").getInteger("connections")).isEqualTo(4));
  }

  @Test
  void namesAreNotTakenFromTheUrlWhenPresenceNamesIsOffAndNothingWhenPresenceIsOff() throws Exception {
    gateway = TestGateway.start(new JsonObject().put("presence", false));
    TestGateway.Reply reply = gateway.get("/sse?topics=t&presence=1");
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.body()).contains("presence is off");
    assertThat(gateway.get("/api/topics/t/presence").status()).isEqualTo(404);
  }

  @Test
  void withAuthTheMemberIsTheTokensSubjectWithItsInfo() throws Exception {
    TestTokens tokens = TestTokens.create(dir);
    gateway = TestGateway.start(tokens.gatewayConfig().put("presenceNames", true).put("maxPresenceInfoBytes", 64));
    tokens.bind(gateway.vertx);
    JsonObject grants = new JsonObject().put("sub", new JsonArray().add("team.*")).put("pub", new JsonArray());
    String alice = tokens.sign("HS256", new JsonObject().put("sub", "alice").put("topics", grants)
      .put("info", new JsonObject().put("name", "Alice")));
    String big = tokens.sign("HS256", new JsonObject().put("sub", "bigmouth").put("topics", grants)
      .put("info", new JsonObject().put("bio", "x".repeat(100))));
    String outsider = tokens.sign("HS256", new JsonObject().put("sub", "eve")
      .put("topics", new JsonObject().put("sub", new JsonArray().add("public"))));

    // a name in the URL cannot pass for someone else: the token says who it is
    open(new WsClient(gateway.vertx, gateway.port()).query("presence=1&name=mallory&token=" + alice), "team.red");
    Eventually.check(gateway.vertx, () -> {
      TestGateway.Reply reply = gateway.get("/api/topics/team.red/presence?token=" + alice);
      assertThat(reply.status()).isEqualTo(200);
      JsonObject member = reply.json().getJsonArray("members").getJsonObject(0);
      assertThat(member.getString("id")).isEqualTo("alice");
      assertThat(member.getJsonObject("info")).isEqualTo(new JsonObject().put("name", "Alice"));
    });
    TestGateway.Reply tooBig = gateway.get("/sse?topics=team.red&presence=1&token=" + big);
    assertThat(tooBig.status()).isEqualTo(400);
    assertThat(tooBig.body()).contains("info claim");
    assertThat(gateway.get("/api/topics/team.red/presence?token=" + outsider).errorCode()).isEqualTo("forbidden");
    assertThat(gateway.get("/api/topics/team.red/presence").errorCode()).isEqualTo("unauthorized");
  }

  private static String member(JsonObject frame) {
    return frame.getJsonObject("member").getString("id");
  }

  private static String refCode(WsClient ws, String ref) {
    return ws.controls().stream().filter(f -> ref.equals(f.getString("ref")) && "error".equals(f.getString("op")))
      .map(f -> f.getString("code")).findFirst().orElse(null);
  }
}
