package io.pushgateway.gateway.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
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
import java.util.Base64;

/**
 * Signed test tokens, HS256 with a shared secret and RS256 with a fresh key pair whose public
 * half is written for {@code jwtPublicKeyPath}; {@link #gatewayConfig()} turns auth on with both.
 */
public final class TestTokens {

  public static final String SECRET = "a-test-secret-that-is-long-enough-0123456789";

  private final Path publicKey;
  private final String privateKey;
  private JWTAuth hs;
  private JWTAuth rs;

  private TestTokens(Path publicKey, String privateKey) {
    this.publicKey = publicKey;
    this.privateKey = privateKey;
  }

  /**
   * With the public key in a fresh temporary directory, for a class's fixture
   * ({@link TestGateway#forAllTests(TestTokens, JsonObject)} binds it).
   */
  public static TestTokens inTempDir() {
    try {
      Path dir = Files.createTempDirectory("push-gateway-tokens");
      dir.toFile().deleteOnExit();
      TestTokens tokens = create(dir);
      tokens.publicKey.toFile().deleteOnExit();
      return tokens;
    } catch (Exception e) {
      throw new IllegalStateException("no test keys", e);
    }
  }

  /** Writes the public key into {@code dir}; {@link #bind} before signing. */
  public static TestTokens create(Path dir) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair keys = generator.generateKeyPair();
    Path publicKey = dir.resolve("jwt-public.pem");
    Files.writeString(publicKey, pem("PUBLIC KEY", keys.getPublic().getEncoded()));
    return new TestTokens(publicKey, pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
  }

  /** The signers, on the test's Vert.x (the gateway's, once it runs). */
  public TestTokens bind(Vertx vertx) {
    hs = signer(vertx, "HS256", SECRET);
    rs = signer(vertx, "RS256", privateKey);
    return this;
  }

  /** {@code auth} on, HS256 and RS256 both accepted. */
  public JsonObject gatewayConfig() {
    return new JsonObject().put("auth", true).put("jwtHmacSecret", SECRET).put("jwtPublicKeyPath", publicKey.toString());
  }

  /** A token for {@code claims}, valid five minutes, signed with {@code HS256} or {@code RS256}. */
  public String sign(String algorithm, JsonObject claims) {
    JWTAuth signer = algorithm.equals("RS256") ? rs : hs;
    return signer.generateToken(claims, new JWTOptions().setAlgorithm(algorithm).setExpiresInSeconds(300));
  }

  /** Signed with HS256 as given: no {@code exp} added, whatever the claims hold. */
  public String signRaw(JsonObject claims) {
    return hs.generateToken(claims, new JWTOptions().setAlgorithm("HS256"));
  }

  /** A token that may publish to every topic (and subscribe to none). */
  public String publisher() {
    return sign("HS256", new JsonObject().put("sub", "publisher")
      .put("topics", new JsonObject().put("sub", new JsonArray()).put("pub", new JsonArray().add("*"))));
  }

  /**
   * An application's token endpoint, on loopback: every request gets {@code token.get()}, with
   * CORS open so a page of another origin can fetch it.
   */
  public static HttpServer endpoint(Vertx vertx, Supplier<String> token) throws Exception {
    return vertx.createHttpServer().requestHandler(request -> request.response()
        .putHeader("Access-Control-Allow-Origin", "*")
        .putHeader("Content-Type", "text/plain")
        .end(token.get()))
      .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
  }

  /** The {@code topics} claim: may subscribe to {@code sub}, publish to {@code pub}. */
  public static JsonObject grants(JsonArray sub, JsonArray pub) {
    return new JsonObject().put("sub", "test-user").put("topics", new JsonObject().put("sub", sub).put("pub", pub));
  }

  private static JWTAuth signer(Vertx vertx, String algorithm, String key) {
    return JWTAuth.create(vertx, new JWTAuthOptions()
      .addPubSecKey(new PubSecKeyOptions().setAlgorithm(algorithm).setBuffer(key)));
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
      + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
      + "\n-----END " + type + "-----\n";
  }
}
