package io.pushgateway.gateway.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.RawHttp;
import io.pushgateway.gateway.testing.TestGateway;
import io.pushgateway.gateway.testing.TestTokens;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Auth cannot be walked around by spelling a path differently. With {@code auth} on, every
 * non-canonical spelling of every protected route ({@code //poll}, {@code /poll/},
 * {@code /%70oll}, {@code /./poll}, {@code /x/../poll}, {@code /poll\}, …) is refused with
 * {@code 400 invalid_parameter}, with no token and with HS256 and RS256 tokens that do not cover
 * the topic: never a 2xx or 101, never an event stream, never a body with events or topics, and
 * nothing stored. Requests go over a raw socket: HTTP clients would normalise the paths away. The
 * canonical spellings keep working, and each route's grant is decided on its own parameters.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PathVariantsTest {

  @TempDir
  static Path dir;

  private static TestTokens tokens;
  private static TestGateway gateway;
  private static RawHttp raw;
  private static String admin;

  @BeforeAll
  static void start() throws Exception {
    tokens = TestTokens.create(dir);
    gateway = TestGateway.start(tokens.gatewayConfig());
    tokens.bind(gateway.vertx);
    raw = new RawHttp(gateway.vertx, gateway.port());
    admin = tokens.sign("HS256", TestTokens.grants(new JsonArray().add("*"), new JsonArray().add("*")));
    for (String topic : List.of("secret", "open", "news.a")) {
      RawHttp.Reply published = raw.send("POST", "/api/topics/" + topic + "/events", "{\"n\":1}", bearer(admin));
      assertThat(published.status()).as(published.head()).isEqualTo(201);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    raw.close();
    gateway.close();
  }

  /** A protected request in its canonical spelling: the path, then what follows it. */
  record Target(String name, String method, String path, String rest, String body) {
  }

  private static final List<Target> TARGETS = List.of(
    new Target("ws upgrade", "WS", "/ws", "?topics=secret&cursor=secret:0", null),
    new Target("sse", "GET", "/sse", "?topics=secret&cursor=secret:0", null),
    new Target("long poll", "GET", "/poll/long", "?topics=secret&cursor=secret:0&timeout=1", null),
    new Target("short poll", "GET", "/poll", "?topics=secret&cursor=secret:0", null),
    new Target("publish", "POST", "/api/topics/secret/events", "", "{\"forged\":true}"),
    new Target("topic state", "GET", "/api/topics/secret", "", null),
    new Target("topic list", "GET", "/api/topics", "", null));

  /** Every way of writing {@code path} that a router may normalise back to it. */
  static List<String> spellings(String path) {
    Set<String> all = new LinkedHashSet<>();
    all.add("/" + path);                                   // //poll
    all.add(path + "/");                                   // /poll/
    all.add("/." + path);                                  // /./poll
    all.add("/x/.." + path);                               // /x/../poll
    all.add("/" + percent(path.charAt(1)) + path.substring(2)); // /%70oll, /%61pi/…
    all.add("/" + percent(path.charAt(1)).toLowerCase() + path.substring(2));
    all.add(path + "/.");                                  // /poll/.
    all.add("/\\" + path.substring(1));                   // /\poll
    all.add("//" + path.substring(1) + "/");               // //poll/
    int last = path.lastIndexOf('/');
    if (last > 0) {
      all.add(path.substring(0, last) + "//" + path.substring(last + 1));   // /poll//long
      all.add(path.substring(0, last) + "/./" + path.substring(last + 1));  // /poll/./long
      all.add(path.substring(0, last) + "%2F" + path.substring(last + 1));  // /poll%2Flong
      all.add(path.substring(0, last) + "\\" + path.substring(last + 1));   // /poll\long
    }
    return new ArrayList<>(all);
  }

  private static String percent(char c) {
    return String.format("%%%02X", (int) c);
  }

  static Stream<Arguments> variants() {
    List<Arguments> all = new ArrayList<>();
    for (Target target : TARGETS) {
      for (String spelling : spellings(target.path())) {
        for (String token : List.of("none", "hs256-other-topic", "rs256-other-topic")) {
          all.add(Arguments.of(target.name(), spelling + target.rest(), token));
        }
      }
    }
    return all.stream();
  }

  @ParameterizedTest(name = "{0}: {1} with {2} token")
  @MethodSource("variants")
  void aNonCanonicalPathIsRefusedBeforeAnyRoute(String name, String uri, String token) throws Exception {
    Target target = TARGETS.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    RawHttp.Reply reply = send(target, uri, token(token));
    assertRefused(reply, uri);
    assertThat(reply.status()).as(uri + "\n" + reply.head()).isEqualTo(400);
    assertThat(reply.errorCode()).isEqualTo("invalid_parameter");
    // Nothing stored: the topic still holds only the event published at the start.
    RawHttp.Reply state = raw.send("GET", "/api/topics/secret", null, bearer(admin));
    assertThat(state.status()).isEqualTo(200);
    assertThat(state.json().getLong("lastId")).isEqualTo(1L);
  }

  @Test
  void canonicalRequestsAreServedByTheirGrants() throws Exception {
    for (String algorithm : List.of("HS256", "RS256")) {
      String reader = tokens.sign(algorithm, TestTokens.grants(new JsonArray().add("open").add("news.*"),
        new JsonArray().add("open")));
      RawHttp.Reply poll = raw.send("GET", "/poll?topics=open&cursor=open:0", null, bearer(reader));
      assertThat(poll.status()).isEqualTo(200);
      assertThat(poll.json().getJsonArray("events")).hasSize(1);
      assertThat(raw.send("GET", "/poll?topics=open,secret&cursor=open:0", null, bearer(reader)).errorCode())
        .isEqualTo("forbidden");
      // A second topics= (also after a ;, in another case) is refused: a proxy in front might read it.
      for (String query : List.of("topics=open&topics=secret", "topics=open;topics=secret", "topics=open&TOPICS=secret")) {
        RawHttp.Reply twice = raw.send("GET", "/poll?" + query + "&cursor=open:0,secret:0", null, bearer(reader));
        assertThat(twice.status()).isEqualTo(400);
        assertThat(twice.errorCode()).isEqualTo("invalid_parameter");
      }
      assertThat(raw.upgrade("/ws?topics=open&token=" + reader).status()).isEqualTo(101);
      assertThat(raw.upgrade("/ws?topics=secret&token=" + reader).status()).isEqualTo(403);
      // A topic's state needs the subscribe grant on exactly the topic of the path.
      assertThat(raw.send("GET", "/api/topics/open", null, bearer(reader)).status()).isEqualTo(200);
      assertThat(raw.send("GET", "/api/topics/news.a", null, bearer(reader)).status()).isEqualTo(200);
      assertThat(raw.send("GET", "/api/topics/secret", null, bearer(reader)).errorCode()).isEqualTo("forbidden");
      assertThat(raw.send("GET", "/api/topics/secret?topics=open", null, bearer(reader)).errorCode())
        .isEqualTo("forbidden");
      assertThat(raw.send("POST", "/api/topics/secret/events", "1", bearer(reader)).errorCode()).isEqualTo("forbidden");
      // The list shows only what the token may subscribe to.
      RawHttp.Reply list = raw.send("GET", "/api/topics", null, bearer(reader));
      assertThat(list.status()).isEqualTo(200);
      assertThat(list.json().getJsonArray("topics").getList()).containsExactlyInAnyOrder("open", "news.a");
    }
    assertThat(raw.send("GET", "/api/topics", null).errorCode()).isEqualTo("unauthorized");
    RawHttp.Reply all = raw.send("GET", "/api/topics", null, bearer(admin));
    assertThat(all.json().getJsonArray("topics").getList()).contains("open", "news.a", "secret");
    // The public endpoints stay open.
    assertThat(raw.send("GET", "/health", null).status()).isEqualTo(200);
    assertThat(raw.send("GET", "/ready", null).status()).isEqualTo(200);
    assertThat(raw.send("GET", "/", null).status()).isEqualTo(200);
  }

  @Test
  void aTokenWithoutTheTopicIsRefusedOnEveryRoute() throws Exception {
    for (String algorithm : List.of("HS256", "RS256")) {
      String other = tokens.sign(algorithm, TestTokens.grants(new JsonArray().add("open"), new JsonArray().add("open")));
      for (Target target : TARGETS) {
        RawHttp.Reply reply = send(target, target.path() + target.rest(), other);
        if (target.name().equals("topic list")) {
          // Any valid token may list, and sees only its own topics.
          assertThat(reply.json().getJsonArray("topics").getList()).containsExactly("open");
          continue;
        }
        assertRefused(reply, target.path());
        assertThat(reply.errorCode()).as(target.name()).isEqualTo("forbidden");
      }
      for (Target target : TARGETS) {
        RawHttp.Reply reply = send(target, target.path() + target.rest(), null);
        assertRefused(reply, target.path());
        assertThat(reply.errorCode()).as(target.name()).isEqualTo("unauthorized");
      }
    }
  }

  private static RawHttp.Reply send(Target target, String uri, String token) throws Exception {
    String[] auth = token == null ? new String[0] : new String[] {bearer(token)};
    return target.method().equals("WS")
      ? raw.upgrade(uri, auth)
      : raw.send(target.method(), uri, target.body(), auth);
  }

  /** Whatever it was refused with, nothing protected came back. */
  private static void assertRefused(RawHttp.Reply reply, String uri) {
    assertThat(reply.status()).as(uri + "\n" + reply.head()).isNotEqualTo(101)
      .satisfies(status -> assertThat(status / 100).isNotEqualTo(2));
    assertThat(String.valueOf(reply.header("Content-Type"))).doesNotStartWith("text/event-stream");
    JsonObject json = reply.json();
    if (json != null) {
      assertThat(json.fieldNames()).doesNotContain("events", "topics", "lastId");
    }
  }

  private String token(String kind) {
    JsonObject other = TestTokens.grants(new JsonArray().add("open"), new JsonArray().add("open"));
    return switch (kind) {
      case "none" -> null;
      case "hs256-other-topic" -> tokens.sign("HS256", other);
      case "rs256-other-topic" -> tokens.sign("RS256", other);
      default -> throw new IllegalArgumentException(kind);
    };
  }

  private static String bearer(String token) {
    return "Authorization: Bearer " + token;
  }
}
