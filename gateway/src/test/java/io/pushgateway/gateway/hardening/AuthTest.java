package io.pushgateway.gateway.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.Eventually;
import io.pushgateway.gateway.testing.StreamClient;
import io.pushgateway.gateway.testing.TestGateway;
import io.pushgateway.gateway.core.Transport;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
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
 * Bearer JWT auth over the real wire, on every transport: missing, forged (wrong HS256 secret,
 * wrong RSA key) and expired tokens get 401 {@code unauthorized}, a token whose {@code topics.sub}
 * does not cover the topic 403 {@code forbidden} (a WebSocket before the upgrade), a publish
 * outside {@code topics.pub} 403 or an error frame {@code forbidden}; valid HS256 and RS256 tokens
 * are served; a WebSocket is closed with 1008 and an SSE stream ended when its token expires.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AuthTest {

  private static final String SECRET = "a-test-secret-that-is-long-enough-0123456789";

  @TempDir
  static Path dir;

  private static TestGateway gateway;
  private static JWTAuth hs;
  private static JWTAuth rs;
  private static JWTAuth forgedHs;
  private static JWTAuth forgedRs;
  private static WebSocketClient ws;

  @BeforeAll
  static void start() throws Exception {
    KeyPair keys = rsaKeys();
    Path publicKey = dir.resolve("jwt-public.pem");
    Files.writeString(publicKey, pem("PUBLIC KEY", keys.getPublic().getEncoded()));
    gateway = TestGateway.start(new JsonObject().put("auth", true).put("jwtHmacSecret", SECRET)
      .put("jwtPublicKeyPath", publicKey.toString()));
    hs = signer("HS256", SECRET);
    forgedHs = signer("HS256", SECRET.replace('a', 'b'));
    rs = signer("RS256", pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
    forgedRs = signer("RS256", pem("PRIVATE KEY", rsaKeys().getPrivate().getEncoded()));
    ws = gateway.vertx.createWebSocketClient();
  }

  @AfterAll
  static void stop() throws Exception {
    ws.close().await(5, TimeUnit.SECONDS);
    gateway.close();
  }

  static Stream<Arguments> refusals() {
    return Stream.of(Transport.values()).flatMap(t -> Stream.of(
      Arguments.of(t, "none", 401, "unauthorized"),
      Arguments.of(t, "forged-hs256", 401, "unauthorized"),
      Arguments.of(t, "forged-rs256", 401, "unauthorized"),
      Arguments.of(t, "expired", 401, "unauthorized"),
      Arguments.of(t, "under-scoped", 403, "forbidden"),
      Arguments.of(t, "hs256", 200, null),
      Arguments.of(t, "rs256", 200, null)));
  }

  @ParameterizedTest(name = "{0} with {1} token -> {2}")
  @MethodSource("refusals")
  void everyTransportChecksTheToken(Transport transport, String kind, int status, String code) throws Exception {
    String token = token(kind);
    String topics = kind.equals("under-scoped") ? "open,secret" : "open";
    if (transport == Transport.WS) {
      // Browsers cannot set headers on a WebSocket: the token travels as ?token=.
      String uri = "/ws?topics=" + topics + (token == null ? "" : "&token=" + token);
      assertThat(upgradeStatus(uri)).isEqualTo(status == 200 ? 101 : status);
      return;
    }
    String path = switch (transport) {
      case SSE -> "/sse";
      case LONG -> "/poll/long";
      default -> "/poll";
    };
    String uri = path + "?topics=" + topics;
    if (transport == Transport.SSE && status == 200) {
      // An accepted event stream stays open: its status is all this test needs.
      assertThat(sseStatus(uri, token)).isEqualTo(200);
      return;
    }
    TestGateway.Reply answer = token == null
      ? gateway.request(HttpMethod.GET, uri, null, null)
      : gateway.request(HttpMethod.GET, uri, null, null, "Authorization", "Bearer " + token);
    assertThat(answer.status()).isEqualTo(status);
    if (code != null) {
      assertThat(answer.errorCode()).isEqualTo(code);
    }
  }

  @Test
  void anHs256TokenSignedWithThePublicKeyIsRefusedWhereOnlyRs256IsConfigured() throws Exception {
    // algorithm confusion: the public key is no secret, so it must never serve as an HMAC key
    KeyPair keys = rsaKeys();
    String publicPem = pem("PUBLIC KEY", keys.getPublic().getEncoded());
    Path publicKey = dir.resolve("rs256-only.pem");
    Files.writeString(publicKey, publicPem);
    try (TestGateway rsOnly = TestGateway.start(new JsonObject().put("auth", true)
      .put("jwtPublicKeyPath", publicKey.toString()))) {
      JWTOptions hs256 = new JWTOptions().setAlgorithm("HS256").setExpiresInSeconds(300);
      JsonObject everything = new JsonObject().put("sub", "mallory").put("topics", new JsonObject()
        .put("sub", new JsonArray().add("*")).put("pub", new JsonArray().add("*")));
      String confused = signer("HS256", publicPem).generateToken(everything, hs256);
      TestGateway.Reply reply = rsOnly.request(HttpMethod.GET, "/api/topics", null, null,
        "Authorization", "Bearer " + confused);
      assertThat(reply.status()).isEqualTo(401);
      assertThat(reply.errorCode()).isEqualTo("unauthorized");
      String genuine = signer("RS256", pem("PRIVATE KEY", keys.getPrivate().getEncoded()))
        .generateToken(everything, new JWTOptions().setAlgorithm("RS256").setExpiresInSeconds(300));
      assertThat(rsOnly.request(HttpMethod.GET, "/api/topics", null, null, "Authorization", "Bearer " + genuine)
        .status()).isEqualTo(200);
    }
  }

  @Test
  void publishingNeedsATokenWhosePubPatternsCoverTheTopic() throws Exception {
    String good = token("hs256");
    assertThat(post("/api/topics/open/events", null).status()).isEqualTo(401);
    assertThat(post("/api/topics/open/events", token("forged-hs256")).status()).isEqualTo(401);
    TestGateway.Reply forbidden = post("/api/topics/secret/events", good);
    assertThat(forbidden.status()).isEqualTo(403);
    assertThat(forbidden.errorCode()).isEqualTo("forbidden");
    assertThat(post("/api/topics/open/events", good).status()).isEqualTo(201);
    assertThat(gateway.request(HttpMethod.GET, "/api/topics/secret", null, null, "Authorization", "Bearer " + good)
      .status()).isEqualTo(403);

    // Over a WebSocket: an error frame for the topic it may not use, an ack for the one it may.
    List<JsonObject> frames = new CopyOnWriteArrayList<>();
    WebSocket socket = connect("/ws?topics=open&token=" + good, frames);
    socket.writeTextMessage(new JsonObject().put("op", "publish").put("topic", "secret").put("data", 1).put("ref", "p1").encode());
    socket.writeTextMessage(new JsonObject().put("op", "subscribe").put("topic", "secret").put("ref", "s1").encode());
    socket.writeTextMessage(new JsonObject().put("op", "publish").put("topic", "open").put("data", 2).put("ref", "p2").encode());
    Eventually.check(gateway.vertx, () -> assertThat(frames).anySatisfy(f -> assertThat(f.getString("ref")).isEqualTo("p2")));
    assertThat(frames).anySatisfy(f -> assertThat(f).isEqualTo(f.copy().put("op", "error").put("code", "forbidden").put("ref", "p1")));
    assertThat(frames).anySatisfy(f -> assertThat(f).isEqualTo(f.copy().put("op", "error").put("code", "forbidden").put("ref", "s1")));
    assertThat(frames).anySatisfy(f -> assertThat(f).isEqualTo(f.copy().put("op", "ack").put("ref", "p2")));
    // Its own publish comes back as an event of a topic it may read.
    Eventually.check(gateway.vertx, () -> assertThat(frames)
      .anySatisfy(f -> assertThat(f.getValue("data")).isEqualTo(2)));
    socket.close().await(5, TimeUnit.SECONDS);
  }

  @Test
  void aWebSocketIsClosedWith1008WhenItsTokenExpires() throws Exception {
    String token = shortLivedToken();
    List<JsonObject> frames = new CopyOnWriteArrayList<>();
    Promise<Short> closed = Promise.promise();
    Promise<Boolean> subscribedFirst = Promise.promise();
    WebSocket socket = connect("/ws?topics=open&token=" + token, frames);
    socket.closeHandler(v -> {
      subscribedFirst.tryComplete(frames.stream().anyMatch(f -> "subscribed".equals(f.getString("op"))));
      closed.tryComplete(socket.closeStatusCode());
    });
    // accepted and served while the token was valid, then closed by the gateway, not refused
    assertThat(closed.future().await(20, TimeUnit.SECONDS)).isEqualTo((short) 1008);
    assertThat(subscribedFirst.future().await(1, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void anSseStreamEndsWhenItsTokenExpires() throws Exception {
    String token = shortLivedToken();
    Promise<Void> ended = Promise.promise();
    var client = gateway.vertx.createHttpClient();
    try {
      int status = StreamClient.onContext(gateway.vertx.getOrCreateContext(), () -> client.request(HttpMethod.GET,
          gateway.port(), "127.0.0.1", "/sse?topics=open&token=" + token)
        .compose(r -> r.send())
        .map(r -> {
          r.endHandler(v -> ended.tryComplete());
          return r.statusCode();
        }))
        .await(10, TimeUnit.SECONDS);
      assertThat(status).isEqualTo(200);
      ended.future().await(20, TimeUnit.SECONDS);
    } finally {
      client.close().await(5, TimeUnit.SECONDS);
    }
  }

  /**
   * Valid for 2 to 3 s (exp has whole seconds): long enough for the handshake on a busy machine,
   * short enough to wait for. The tests wait for the gateway's close, bounded, never for a time.
   */
  private static String shortLivedToken() {
    long exp = System.currentTimeMillis() / 1000 + 3;
    return hs.generateToken(claims().put("exp", exp), new JWTOptions().setAlgorithm("HS256"));
  }

  @Test
  void aTokenThatMaySeeFewTopicsPagesThroughTheListingInBoundedSteps() throws Exception {
    String everything = hs.generateToken(new JsonObject().put("sub", "lister").put("topics", new JsonObject()
      .put("sub", new JsonArray().add("*")).put("pub", new JsonArray().add("*"))), new JWTOptions().setAlgorithm("HS256"));
    List<String> hidden = IntStream.range(0, 50).mapToObj(i -> "oa-%02d".formatted(i)).toList();
    for (String topic : Stream.concat(Stream.of("news.zz1", "open"), hidden.stream()).toList()) {
      gateway.publishAs(everything, topic, 1);
    }
    List<String> seen = new ArrayList<>();
    int pages = 0;
    boolean cutShort = false;
    String next = "news.zz0";
    while (next != null && pages++ < 100) {
      JsonObject page = gateway.request(HttpMethod.GET, "/api/topics?limit=2&after=" + next, null, null,
        "Authorization", "Bearer " + token("hs256")).json();
      List<String> names = page.getJsonArray("topics").stream().map(String::valueOf).toList();
      assertThat(names).hasSizeLessThanOrEqualTo(2);
      cutShort |= names.isEmpty() && page.getString("next") != null;
      seen.addAll(names);
      next = page.getString("next");
    }
    assertThat(seen).as("what the token may read, nothing else").contains("news.zz1", "open")
      .allMatch(t -> t.equals("open") || t.startsWith("news."));
    assertThat(cutShort).as("a page that looked at its bound of names and listed none").isTrue();
    assertThat(gateway.request(HttpMethod.GET, "/api/topics?prefix=oa-&limit=100", null, null,
      "Authorization", "Bearer " + everything).json().getJsonArray("topics").getList()).isEqualTo(hidden);
  }

  private static String token(String kind) {
    JWTOptions hs256 = new JWTOptions().setAlgorithm("HS256");
    JWTOptions rs256 = new JWTOptions().setAlgorithm("RS256");
    return switch (kind) {
      case "none" -> null;
      case "hs256", "under-scoped" -> hs.generateToken(claims(), hs256.setExpiresInSeconds(300));
      case "rs256" -> rs.generateToken(claims(), rs256.setExpiresInSeconds(300));
      case "forged-hs256" -> forgedHs.generateToken(claims(), hs256);
      case "forged-rs256" -> forgedRs.generateToken(claims(), rs256);
      case "expired" -> hs.generateToken(claims().put("exp", System.currentTimeMillis() / 1000 - 60), hs256);
      default -> throw new IllegalArgumentException(kind);
    };
  }

  /** May read {@code open} and {@code news.*}, publish to {@code open}; never {@code secret}. */
  private static JsonObject claims() {
    return new JsonObject().put("sub", "test-user").put("topics", new JsonObject()
      .put("sub", new JsonArray().add("open").add("news.*"))
      .put("pub", new JsonArray().add("open")));
  }

  private TestGateway.Reply post(String uri, String token) throws Exception {
    return token == null
      ? gateway.request(HttpMethod.POST, uri, Buffer.buffer("1"), "application/json")
      : gateway.request(HttpMethod.POST, uri, Buffer.buffer("1"), "application/json", "Authorization", "Bearer " + token);
  }

  private int upgradeStatus(String uri) throws Exception {
    return ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.port()).setURI(uri))
      .compose(socket -> socket.close().map(101))
      .recover(e -> Future.succeededFuture(e instanceof UpgradeRejectedException u ? u.getStatus() : -1))
      .await(10, TimeUnit.SECONDS);
  }

  private WebSocket connect(String uri, List<JsonObject> frames) throws Exception {
    // The handler goes on before the connection exists: the first frame may come with the handshake.
    ClientWebSocket socket = ws.webSocket();
    socket.textMessageHandler(text -> frames.add(new JsonObject(text)));
    return socket.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.port()).setURI(uri))
      .await(10, TimeUnit.SECONDS);
  }

  private int sseStatus(String uri, String token) throws Exception {
    var client = gateway.vertx.createHttpClient();
    try {
      return client.request(HttpMethod.GET, gateway.port(), "127.0.0.1", uri)
        .compose(r -> r.putHeader("Authorization", "Bearer " + token).send())
        .map(r -> r.statusCode())
        .await(10, TimeUnit.SECONDS);
    } finally {
      client.close().await(5, TimeUnit.SECONDS);
    }
  }

  private static JWTAuth signer(String algorithm, String key) {
    return JWTAuth.create(gateway.vertx, new JWTAuthOptions()
      .addPubSecKey(new PubSecKeyOptions().setAlgorithm(algorithm).setBuffer(key)));
  }

  private static KeyPair rsaKeys() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    return generator.generateKeyPair();
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
      + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
      + "\n-----END " + type + "-----\n";
  }
}
