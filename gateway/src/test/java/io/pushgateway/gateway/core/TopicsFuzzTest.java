package io.pushgateway.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Tag;

/**
 * Topic validation against a plain character-by-character reading of the protocol's rule
 * {@code ^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$}; a valid topic also fits in a cursor entry unescaped.
 * Regression inputs: {@code TopicsFuzzTestInputs/} in the test resources.
 */
@Tag("fuzz")
class TopicsFuzzTest {

  @FuzzTest(maxDuration = "2m")
  void validationFollowsTheProtocolRule(FuzzedDataProvider data) {
    String name = data.consumeRemainingAsString();
    boolean valid = Topics.isValid(name);
    assertThat(valid).as("isValid(%s)", name).isEqualTo(reference(name));
    if (valid) {
      assertThat(Topics.require(name)).isEqualTo(name);
      assertThat(Cursor.parse(name + ":7:ep").get(name)).isEqualTo(new Position(7, "ep"));
    } else {
      assertThatThrownBy(() -> Topics.require(name))
        .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_TOPIC));
    }
  }

  private static boolean reference(String name) {
    if (name.isEmpty() || name.length() > 128) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
      if (!alnum && (i == 0 || (c != '_' && c != '.' && c != '-'))) {
        return false;
      }
    }
    return true;
  }
}
