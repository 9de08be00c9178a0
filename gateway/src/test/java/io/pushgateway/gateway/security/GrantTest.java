package io.pushgateway.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.core.TopicPattern;
import io.pushgateway.gateway.core.Topics;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Which topic a route's grant refuses, read from the route's own parameters. */
class GrantTest {

  private final Grants grants = Grants.of(new JsonObject().put(Grants.CLAIM, new JsonObject()
    .put("sub", new JsonArray().add("open").add("news.*"))
    .put("pub", new JsonArray().add("open"))));

  @Test
  void subscribeTopicsCoversEveryTopicOfTheList() {
    assertThat(Grant.SUBSCRIBE_TOPICS.refused(grants, "open,news.a", null)).isNull();
    assertThat(Grant.SUBSCRIBE_TOPICS.refused(grants, "open, secret", null)).isEqualTo("secret");
    // A malformed name is the route's to refuse (invalid_topic); it never serves it.
    assertThat(Grant.SUBSCRIBE_TOPICS.refused(grants, "open,bad name", null)).isNull();
    // The path parameter is not what this grant reads.
    assertThat(Grant.SUBSCRIBE_TOPICS.refused(grants, "open", "secret")).isNull();
  }

  @Test
  void subscribeTopicReadsOnlyThePathParameter() {
    assertThat(Grant.SUBSCRIBE_TOPIC.refused(grants, null, "news.x")).isNull();
    assertThat(Grant.SUBSCRIBE_TOPIC.refused(grants, "open", "secret")).isEqualTo("secret");
  }

  @Test
  void publishTopicReadsThePubPatterns() {
    assertThat(Grant.PUBLISH_TOPIC.refused(grants, null, "open")).isNull();
    assertThat(Grant.PUBLISH_TOPIC.refused(grants, null, "news.a")).isEqualTo("news.a");
  }

  @Test
  void patternsMatchTheirStarsAndNothingElse() {
    assertThat(TopicPattern.matches("*", "anything")).isTrue();
    assertThat(TopicPattern.matches("news.*", "news.")).isTrue();
    assertThat(TopicPattern.matches("news.*", "news")).isFalse();
    assertThat(TopicPattern.matches("user.*.inbox", "user.ann.inbox")).isTrue();
    assertThat(TopicPattern.matches("user.*.inbox", "user.ann.inbox.x")).isFalse();
    assertThat(TopicPattern.matches("*.inbox", "a.inbox.b.inbox")).isTrue();
    assertThat(TopicPattern.matches("a*b*c", "axxbyyc")).isTrue();
    assertThat(TopicPattern.matches("a*b*c", "axxcyyb")).isFalse();
    assertThat(TopicPattern.matches("a.b", "aXb")).isFalse(); // a dot is a dot
    assertThat(TopicPattern.matches("**", "")).isTrue();
    assertThat(TopicPattern.matches("open", "opened")).isFalse();
  }

  @Test
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void aPatternOfManyStarsEndsOnTheLongestTopic() {
    // compiled to a regular expression this took exponential time: it never ended
    String pattern = "a*".repeat(20) + "b";
    String topic = "a".repeat(Topics.MAX_LENGTH);
    Grants grants = Grants.of(new JsonObject().put(Grants.CLAIM, new JsonObject()
      .put("sub", new JsonArray().add(pattern))));
    assertThat(grants.maySubscribe(topic)).isFalse();
    assertThat(grants.maySubscribe(topic.substring(1) + "b")).isTrue();
  }

  @Test
  void openAndAuthenticatedRoutesRefuseNoTopic() {
    Grants none = Grants.of(new JsonObject());
    assertThat(Grant.NONE.refused(none, "secret", "secret")).isNull();
    assertThat(Grant.AUTHENTICATED.refused(none, "secret", "secret")).isNull();
  }
}
