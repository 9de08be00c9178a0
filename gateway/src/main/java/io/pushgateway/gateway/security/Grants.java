package io.pushgateway.gateway.security;

import io.pushgateway.gateway.core.TopicPattern;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * What a token lets its bearer do: the topic patterns of its {@code topics} claim,
 * {@code {"sub":["prices","chat.*"],"pub":["chat.*"]}}. A pattern is a topic name in which
 * {@code *} stands for any run of characters ({@link TopicPattern}). No claim, no topics. And
 * whether its {@code admin} claim is {@code true}.
 */
public record Grants(List<String> subscribe, List<String> publish, boolean admin) {

  public static final String CLAIM = "topics";
  /** The claim that, {@code true}, lets the bearer use the administration API (revoking tokens). */
  public static final String ADMIN_CLAIM = "admin";

  public static Grants of(JsonObject claims) {
    JsonObject topics = claims == null ? null : claims.getValue(CLAIM) instanceof JsonObject o ? o : null;
    return new Grants(patterns(topics, "sub"), patterns(topics, "pub"),
      claims != null && Boolean.TRUE.equals(claims.getValue(ADMIN_CLAIM)));
  }

  /** What a request without a token may do where {@code publicTopics} are set: subscribe to them, nothing else. */
  public static Grants anonymous(List<String> publicTopics) {
    return new Grants(publicTopics, List.of(), false);
  }

  /** These grants, with {@code publicTopics} to subscribe to as well: what every bearer may read. */
  public Grants withPublic(List<String> publicTopics) {
    if (publicTopics.isEmpty()) {
      return this;
    }
    List<String> all = new ArrayList<>(subscribe);
    all.addAll(publicTopics);
    return new Grants(List.copyOf(all), publish, admin);
  }

  public boolean maySubscribe(String topic) {
    return matchesAny(subscribe, topic);
  }

  public boolean mayPublish(String topic) {
    return matchesAny(publish, topic);
  }

  private static boolean matchesAny(List<String> patterns, String topic) {
    for (String pattern : patterns) {
      if (TopicPattern.matches(pattern, topic)) {
        return true;
      }
    }
    return false;
  }

  private static List<String> patterns(JsonObject topics, String key) {
    List<String> patterns = new ArrayList<>();
    if (topics != null && topics.getValue(key) instanceof JsonArray array) {
      for (Object item : array) {
        if (item instanceof String glob && !glob.isEmpty()) {
          patterns.add(glob);
        }
      }
    }
    return List.copyOf(patterns);
  }
}
