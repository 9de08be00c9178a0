package io.pushgateway.gateway.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.TestGateway;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Plain AJAX polling: an answer at once, with whatever is past the cursor. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShortPollTest {

  private static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    gateway = TestGateway.start();
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
  }

  @Test
  void atTheHeadAnswersNothingNewWithTheCursorOfThePolledTopicsOnly() throws Exception {
    gateway.publishMany("sp-a", 2);
    gateway.publishMany("sp-b", 3);
    String cursor = gateway.get("/poll?topics=sp-b,sp-a").json().getString("cursor");
    assertThat(cursor).matches("sp-b:3:\\w+,sp-a:2:\\w+");

    JsonObject nothingNew = gateway.get("/poll?topics=sp-a,sp-b&cursor=other:7," + cursor).json();
    assertThat(nothingNew.getJsonArray("events")).isEmpty();
    assertThat(nothingNew.getJsonArray("resets")).isEmpty();
    assertThat(nothingNew.getBoolean("more")).isFalse();
    String a = cursor.substring(cursor.indexOf(",") + 1);
    String b = cursor.substring(0, cursor.indexOf(","));
    assertThat(nothingNew.getString("cursor")).isEqualTo(a + "," + b);

    gateway.publish("sp-a", 3);
    JsonObject next = gateway.get("/poll?topics=sp-a,sp-b&cursor=" + nothingNew.getString("cursor")).json();
    assertThat(next.getJsonArray("events")).extracting(e -> ((JsonObject) e).getLong("id")).containsExactly(3L);
    assertThat(next.getString("cursor")).startsWith("sp-a:3:").endsWith("," + b);
  }
}
