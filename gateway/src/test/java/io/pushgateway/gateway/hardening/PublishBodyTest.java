package io.pushgateway.gateway.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.TestGateway;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Publish bodies are UTF-8 JSON, taken as sent: bytes that are not UTF-8 and bodies that declare
 * a content coding are refused and nothing is stored; nothing is ever inflated.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PublishBodyTest {

  private static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    // With compression on, as the attacker of a decompression bomb would hope.
    gateway = TestGateway.start(new JsonObject().put("compression", true));
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
  }

  /** Invalid UTF-8 inside a JSON string, as hex: each would have been stored as U+FFFD. */
  @ParameterizedTest
  @ValueSource(strings = {
    "c328",       // a two-byte lead followed by an ASCII byte
    "c0af",       // overlong '/'
    "e080af",     // overlong '/' in three bytes
    "f08082ac",   // overlong in four bytes
    "eda080",     // U+D800, a lone high surrogate encoded in UTF-8
    "edbfbf",     // U+DFFF, a lone low surrogate
    "eda0bdedb8bf", // a surrogate pair encoded as two three-byte forms (CESU-8)
    "ff",         // never valid
    "e282"})      // truncated sequence
  void invalidUtf8IsRefusedAndNothingStored(String hex) throws Exception {
    String topic = "utf8-" + hex;
    Buffer body = Buffer.buffer("{\"s\":\"").appendBytes(hexBytes(hex)).appendString("\"}");
    TestGateway.Reply reply = publish(topic, body);
    assertThat(reply.status()).as(reply.body()).isEqualTo(400);
    assertThat(reply.errorCode()).isEqualTo("invalid_json");
    assertNothingStored(topic);
  }

  @Test
  void validUtf8IsStoredAsSent() throws Exception {
    String data = "{\"s\":\"é€😀\"}";
    TestGateway.Reply reply = publish("utf8-ok", Buffer.buffer(data.getBytes(StandardCharsets.UTF_8)));
    assertThat(reply.status()).as(reply.body()).isEqualTo(201);
    TestGateway.Reply poll = gateway.get("/poll?topics=utf8-ok&cursor=utf8-ok:0");
    assertThat(poll.json().getJsonArray("events").getJsonObject(0).getJsonObject("data").getString("s"))
      .isEqualTo("é€😀");
  }

  @Test
  void aGzipBombIsRefusedUninflated() throws Exception {
    // 16 MiB of a JSON string, about 16 KB on the wire.
    ByteArrayOutputStream packed = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(packed)) {
      gzip.write("{\"s\":\"".getBytes(StandardCharsets.US_ASCII));
      byte[] spaces = new byte[1024 * 1024];
      java.util.Arrays.fill(spaces, (byte) 'a');
      for (int i = 0; i < 16; i++) {
        gzip.write(spaces);
      }
      gzip.write("\"}".getBytes(StandardCharsets.US_ASCII));
    }
    assertThat(packed.size()).isLessThan(64 * 1024);
    for (String coding : new String[] {"gzip", "deflate", "br", "identity, gzip"}) {
      TestGateway.Reply reply = gateway.request(HttpMethod.POST, "/api/topics/bomb/events",
        Buffer.buffer(packed.toByteArray()), "application/json", "Content-Encoding", coding);
      assertThat(reply.status()).as(coding + ": " + reply.body()).isEqualTo(400);
      assertThat(reply.errorCode()).isEqualTo("invalid_parameter");
      assertThat(reply.headers().get("Accept-Encoding")).isEqualTo("identity");
    }
    assertNothingStored("bomb");
  }

  @Test
  void identityIsNoCodingAtAll() throws Exception {
    TestGateway.Reply reply = gateway.request(HttpMethod.POST, "/api/topics/plain/events",
      Buffer.buffer("{\"n\":1}"), "application/json", "Content-Encoding", "identity");
    assertThat(reply.status()).as(reply.body()).isEqualTo(201);
  }

  private static TestGateway.Reply publish(String topic, Buffer body) throws Exception {
    return gateway.request(HttpMethod.POST, "/api/topics/" + topic + "/events", body, "application/json");
  }

  private static void assertNothingStored(String topic) throws Exception {
    TestGateway.Reply state = gateway.get("/api/topics/" + topic);
    assertThat(state.status()).as(state.body()).isEqualTo(404);
    assertThat(gateway.get("/api/topics").json().getJsonArray("topics").getList()).doesNotContain(topic);
  }

  private static byte[] hexBytes(String hex) {
    byte[] bytes = new byte[hex.length() / 2];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
    }
    return bytes;
  }
}
