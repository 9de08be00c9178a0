package io.pushgateway.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
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
    ":1", "bad topic:1", "a:1,,b:2", "a:1,a:2", "a:1:ep och", "a:99999999999999999999", "a::e", "a:+1",
    "a:1,", ",a:1"})
  void refusesMalformedCursors(String text) {
    assertThatThrownBy(() -> Cursor.parse(text))
      .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CURSOR));
  }

  @Test
  void theCompactSpellingNamesNoTopicAndRepeatsNoEpoch() {
    List<String> topics = List.of("prices", "chat", "news");
    Cursor cursor = Cursor.parse("41.k3x9,7,,", List.of("prices", "chat", "news", "more"));
    assertThat(cursor.get("prices")).isEqualTo(new Position(41, "k3x9"));
    assertThat(cursor.get("chat")).isEqualTo(new Position(7, "k3x9"));
    assertThat(cursor.get("news")).isNull();
    Cursor full = Cursor.parse("prices:41:k3x9,chat:7:k3x9,news:3:k3x9_1");
    assertThat(full.toCompactString(topics)).isEqualTo("41.k3x9,7,3.k3x9_1");
    assertThat(Cursor.parse(full.toCompactString(topics), topics)).isEqualTo(full);
    // a topic without a position is an empty entry
    assertThat(Cursor.parse("prices:41:k3x9").toCompactString(List.of("chat", "prices"))).isEqualTo(",41.k3x9");
    // the full spelling is read as before, whatever the topics
    assertThat(Cursor.parse("chat:7", topics)).isEqualTo(Cursor.parse("chat:7"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"1,2,3,4", "x", "1.", "1.ep och", "-1", "1.a.b", "99999999999999999999"})
  void refusesMalformedCompactCursors(String text) {
    assertThatThrownBy(() -> Cursor.parse(text, List.of("a", "b", "c")))
      .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CURSOR));
  }

  @Test
  void entriesMayHaveSpacesAroundThem() {
    Cursor cursor = Cursor.parse(" a:1 , b:2:e ");
    assertThat(cursor.get("a")).isEqualTo(new Position(1, null));
    assertThat(cursor.get("b")).isEqualTo(new Position(2, "e"));
    assertThat(cursor.toString()).isEqualTo("a:1,b:2:e");
  }
}
