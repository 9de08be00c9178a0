package io.pushgateway.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CursorTest {

  @Test
  void parsesEntriesWithAndWithoutEpoch() {
    Cursor cursor = Cursor.parse("prices:41:k3x9,chat:7");
    assertThat(cursor.get("prices")).isEqualTo(new Position(41, "k3x9"));
    assertThat(cursor.get("chat")).isEqualTo(new Position(7, null));
    assertThat(cursor.get("other")).isNull();
    assertThat(cursor.toString()).isEqualTo("prices:41:k3x9,chat:7");
  }

  @Test
  void blankIsEmpty() {
    assertThat(Cursor.parse(null).isEmpty()).isTrue();
    assertThat(Cursor.parse("  ").isEmpty()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"prices", "prices:", "prices:x", "prices:-1", "prices:1:", "prices:1:k3:x",
    ":1", "bad topic:1", "a:1,,b:2", "a:1,a:2", "a:1:ep och", "a:99999999999999999999"})
  void refusesMalformedCursors(String text) {
    assertThatThrownBy(() -> Cursor.parse(text))
      .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CURSOR));
  }
}
