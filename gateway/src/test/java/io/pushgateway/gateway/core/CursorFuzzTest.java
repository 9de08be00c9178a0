package io.pushgateway.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Tag;

/**
 * Any text as a cursor: {@link Cursor#parse} refuses it with {@code invalid_cursor} or returns a
 * cursor that survives a round trip ({@code parse(c.toString())} equals {@code c}), which is what
 * lets every transport hand the cursor out and take it back. Regression inputs:
 * {@code CursorFuzzTestInputs/} in the test resources.
 */
@Tag("fuzz")
class CursorFuzzTest {

  @FuzzTest(maxDuration = "2m")
  void parseRefusesOrRoundTrips(FuzzedDataProvider data) {
    String text = data.consumeRemainingAsString();
    Cursor cursor;
    try {
      cursor = Cursor.parse(text);
    } catch (GatewayException e) {
      assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CURSOR);
      return;
    }
    String printed = cursor.toString();
    Cursor again = Cursor.parse(printed);
    assertThat(again).isEqualTo(cursor);
    assertThat(again.toString()).isEqualTo(printed);
    cursor.positions().forEach((topic, position) -> {
      assertThat(Topics.isValid(topic)).isTrue();
      assertThat(position.id()).isNotNegative();
    });
  }
}
