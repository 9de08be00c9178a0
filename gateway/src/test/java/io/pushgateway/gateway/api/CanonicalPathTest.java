package io.pushgateway.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The one spelling of a path the gateway serves. */
class CanonicalPathTest {

  @ParameterizedTest
  @ValueSource(strings = {"/", "/ws", "/sse", "/poll", "/poll/long", "/api/topics", "/api/topics/a.b-c_d",
    "/api/topics/x/events", "/index.html", "/push-client.js", "/.well-known", "/a..b", "/..a", "/a."})
  void canonicalPathsPass(String path) {
    assertThat(CanonicalPath.problem(path)).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "poll", "*", "//poll", "/poll/", "/poll/long/", "//", "/api//topics", "/api/topics/",
    "/./poll", "/x/../poll", "/poll/.", "/poll/..", "/.", "/..", "/%70oll", "/%61pi/topics", "/poll%2Flong", "/a%",
    "/\\poll", "/poll\\long", "\\poll", "/api/topics/t/events/"})
  void everyOtherSpellingIsRefused(String path) {
    assertThat(CanonicalPath.problem(path)).isNotNull();
  }

  @org.junit.jupiter.api.Test
  void nullIsRefused() {
    assertThat(CanonicalPath.isCanonical(null)).isFalse();
  }
}
