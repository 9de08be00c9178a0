package io.pushgateway.gateway.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.pushgateway.gateway.core.ErrorCode;
import io.pushgateway.gateway.core.GatewayException;
import io.pushgateway.gateway.core.Topics;
import io.pushgateway.gateway.transport.PublishBatch;
import io.pushgateway.gateway.transport.PublishRule;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Tag;

/**
 * Any text a client can send as a WebSocket frame: {@link ClientCommand#parse} either returns a
 * well-formed command or refuses with {@link ClientCommand.Invalid}; nothing else escapes, so no
 * frame can break a connection's handler. It reads frames in one pass without decoding the data,
 * so every input is also decoded by Vert.x as the reference: the same frames are JSON objects, and
 * a publish's data is the same value. Regression inputs: {@code ClientCommandFuzzTestInputs/} in
 * the test resources; {@code JAZZER_FUZZ=1} fuzzes (see the README).
 */
@Tag("fuzz")
class ClientCommandFuzzTest {

  @FuzzTest(maxDuration = "2m")
  void parseRefusesOrReturnsAWellFormedCommand(FuzzedDataProvider data) {
    String text = data.consumeRemainingAsString();
    Object reference = decodedByVertx(text);
    ClientCommand command;
    try {
      command = ClientCommand.parse(text);
    } catch (ClientCommand.Invalid invalid) {
      assertThat(invalid.error).isNotNull();
      assertThat(invalid.error.code()).isNotNull();
      assertThat(reference instanceof JsonObject).as("refused as not a JSON object: %s", text)
        .isEqualTo(invalid.error.code() != ErrorCode.INVALID_JSON);
      return;
    }
    assertThat(reference).isInstanceOf(JsonObject.class);
    assertThat(command.op()).isNotNull();
    if (command.op() != ClientCommand.Op.PING && command.batch() == null) {
      assertThat(Topics.isValid(command.topic())).isTrue();
    }
    if (command.after() != null) {
      assertThat(command.after()).isNotNegative();
    }
    if (command.op() == ClientCommand.Op.PUBLISH && command.binary() != null) {
      // an announced binary publish: a type to check and a size within an int, never data
      assertThat(command.binary().contentType()).isNotNull();
      assertThat(command.binary().bytes()).isPositive();
      assertThat(command.dataJson()).isNull();
    } else if (command.op() == ClientCommand.Op.PUBLISH && command.batch() == null) {
      // The data travels on an SSE data: line and inside JSON frames: one line of valid JSON.
      assertThat(command.dataJson()).doesNotContain("\n", "\r");
      assertThat(Json.decodeValue(command.dataJson())).isEqualTo(((JsonObject) reference).getValue("data"));
    } else if (command.batch() != null) {
      JsonArray events = ((JsonObject) reference).getJsonArray("events");
      assertThat(command.batch().items()).hasSize(events.size());
      for (int i = 0; i < events.size(); i++) {
        PublishBatch.Item item = command.batch().items().get(i);
        JsonObject event = events.getJsonObject(i);
        assertThat(item.topic()).isEqualTo(event.getValue("topic") instanceof String topic ? topic : null);
        if (event.containsKey("data")) {
          assertThat(item.dataJson()).doesNotContain("\n", "\r");
          assertThat(Json.decodeValue(item.dataJson())).isEqualTo(event.getValue("data"));
        } else {
          assertThat(item.problem()).isNotNull();
        }
      }
    }
  }

  /** The frame as Vert.x decodes it, or {@code NOT_JSON}. */
  private static Object decodedByVertx(String text) {
    try {
      return Json.decodeValue(text);
    } catch (DecodeException e) {
      return NOT_JSON;
    }
  }

  private static final Object NOT_JSON = new Object();

  /**
   * Any Content-Type a publisher can send: refused with invalid_parameter, or a media type that
   * can go into every JSON form without escaping (no quote, backslash or control character).
   */
  @FuzzTest(maxDuration = "1m")
  void aMediaTypeIsRefusedOrSafeInJson(FuzzedDataProvider data) {
    String contentType = data.consumeRemainingAsString();
    String accepted;
    try {
      accepted = PublishRule.mediaType(contentType);
    } catch (GatewayException refused) {
      assertThat(refused.code()).isEqualTo(ErrorCode.INVALID_PARAMETER);
      return;
    }
    assertThat(accepted).contains("/").hasSizeLessThanOrEqualTo(64 * 2 + 1 + 4 * (3 + 64 * 2 + 1));
    assertThat(accepted.chars()).allMatch(c -> c > 0x20 && c < 0x7f || c == ' ')
      .noneMatch(c -> c == '"' || c == '\\');
    assertThat(Json.decodeValue("\"" + accepted + "\"")).isEqualTo(accepted);
  }
}
