package io.pushgateway.gateway.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.pushgateway.gateway.core.Topics;
import io.vertx.core.json.Json;
import org.junit.jupiter.api.Tag;

/**
 * Any text a client can send as a WebSocket frame: {@link ClientCommand#parse} either returns a
 * well-formed command or refuses with {@link ClientCommand.Invalid}; nothing else escapes, so no
 * frame can break a connection's handler. Regression inputs: {@code ClientCommandFuzzTestInputs/}
 * in the test resources; {@code JAZZER_FUZZ=1} fuzzes (see the README).
 */
@Tag("fuzz")
class ClientCommandFuzzTest {

  @FuzzTest(maxDuration = "2m")
  void parseRefusesOrReturnsAWellFormedCommand(FuzzedDataProvider data) {
    String text = data.consumeRemainingAsString();
    ClientCommand command;
    try {
      command = ClientCommand.parse(text);
    } catch (ClientCommand.Invalid invalid) {
      assertThat(invalid.error).isNotNull();
      assertThat(invalid.error.code()).isNotNull();
      return;
    }
    assertThat(command.op()).isNotNull();
    if (command.op() != ClientCommand.Op.PING) {
      assertThat(Topics.isValid(command.topic())).isTrue();
    }
    if (command.after() != null) {
      assertThat(command.after()).isNotNegative();
    }
    if (command.op() == ClientCommand.Op.PUBLISH) {
      // The data travels on an SSE data: line and inside JSON frames: one line of valid JSON.
      assertThat(command.dataJson()).doesNotContain("\n", "\r");
      Json.decodeValue(command.dataJson());
    }
  }
}
