package io.pushgateway.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.pushgateway.gateway.testing.RawHttp;
import io.pushgateway.gateway.testing.TestGateway;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Paths as an attacker writes them. {@link CanonicalPath} accepts only paths with none of the
 * spellings a router folds ({@code //}, dot segments, escapes, backslashes, a trailing slash);
 * and with {@code auth} on, a request with no token, whatever its method and path, never gets
 * anything protected: no {@code 101}, no {@code 201}, no event stream, no events or topic list.
 * Regression inputs ({@code PathFuzzTestInputs/} in the test resources) are the known bypass
 * spellings; {@code JAZZER_FUZZ=1} fuzzes (see the README).
 */
class PathFuzzTest {

  private static TestGateway gateway;
  private static RawHttp raw;

  @BeforeAll
  static void start() throws Exception {
    gateway = TestGateway.start(new JsonObject().put("auth", true)
      .put("jwtHmacSecret", "a-fuzzing-secret-that-is-long-enough-0123456789"));
    raw = new RawHttp(gateway.vertx, gateway.port());
  }

  @AfterAll
  static void stop() throws Exception {
    raw.close();
    gateway.close();
  }

  @FuzzTest(maxDuration = "2m")
  void anAcceptedPathHasOneSpelling(FuzzedDataProvider data) {
    String path = data.consumeRemainingAsString();
    if (!CanonicalPath.isCanonical(path)) {
      return;
    }
    assertThat(path).startsWith("/").doesNotContain("//", "%", "\\");
    if (!path.equals("/")) {
      assertThat(path).doesNotEndWith("/");
    }
    for (String segment : path.substring(1).split("/", -1)) {
      assertThat(segment).isNotIn(".", "..");
    }
  }

  /**
   * The input is {@code METHOD target}: {@code GET}, {@code POST} (with a JSON body) or
   * {@code WS} (a WebSocket handshake); anything else is a GET of the whole input.
   */
  @FuzzTest(maxDuration = "2m")
  void noPathGetsPastAuthWithoutAToken(FuzzedDataProvider data) throws Exception {
    String input = data.consumeRemainingAsString();
    int space = input.indexOf(' ');
    String method = space > 0 ? input.substring(0, space) : "";
    String target = method.matches("GET|POST|WS") ? input.substring(space + 1) : input;
    // Line breaks would start new header lines or requests: paths are what is fuzzed here.
    target = target.replace("\r", "").replace("\n", "");
    RawHttp.Reply reply = switch (method) {
      case "POST" -> raw.send("POST", target, "{\"forged\":true}");
      case "WS" -> raw.upgrade(target);
      default -> raw.send("GET", target, null);
    };
    assertThat(reply.status()).as(reply.head()).isNotIn(101, 201);
    assertThat(String.valueOf(reply.header("Content-Type"))).doesNotStartWith("text/event-stream");
    JsonObject json = reply.json();
    if (json != null) {
      assertThat(json.fieldNames()).doesNotContain("events", "topics");
    }
  }
}
