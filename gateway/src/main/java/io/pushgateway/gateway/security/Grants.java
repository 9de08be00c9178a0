package io.pushgateway.gateway.security;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What a token lets its bearer do: the topic patterns of its {@code topics} claim,
 * {@code {"sub":["prices","chat.*"],"pub":["chat.*"]}}. A pattern is a topic name in which
 * {@code *} stands for any run of characters ({@code *} alone: every topic). No claim, no topics.
 */
public record Grants(List<Pattern> subscribe, List<Pattern> publish) {

  public static final String CLAIM = "topics";

  public static Grants of(JsonObject claims) {
    JsonObject topics = claims == null ? null : claims.getValue(CLAIM) instanceof JsonObject o ? o : null;
    return new Grants(patterns(topics, "sub"), patterns(topics, "pub"));
  }

  public boolean maySubscribe(String topic) {
    return matches(subscribe, topic);
  }

  public boolean mayPublish(String topic) {
    return matches(publish, topic);
  }

  private static boolean matches(List<Pattern> patterns, String topic) {
    for (Pattern p : patterns) {
      if (p.matcher(topic).matches()) {
        return true;
      }
    }
    return false;
  }

  private static List<Pattern> patterns(JsonObject topics, String key) {
    List<Pattern> patterns = new ArrayList<>();
    if (topics != null && topics.getValue(key) instanceof JsonArray array) {
      for (Object item : array) {
        if (item instanceof String glob && !glob.isEmpty()) {
          patterns.add(compile(glob));
        }
      }
    }
    return List.copyOf(patterns);
  }

  private static Pattern compile(String glob) {
    StringBuilder regex = new StringBuilder();
    String[] parts = glob.split("\\*", -1);
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) {
        regex.append(".*");
      }
      if (!parts[i].isEmpty()) {
        regex.append(Pattern.quote(parts[i]));
      }
    }
    return Pattern.compile(regex.toString());
  }
}
