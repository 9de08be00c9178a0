package io.pushgateway.gateway.security;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * What a token lets its bearer do: the topic patterns of its {@code topics} claim,
 * {@code {"sub":["prices","chat.*"],"pub":["chat.*"]}}. A pattern is a topic name in which
 * {@code *} stands for any run of characters ({@code *} alone: every topic). No claim, no topics.
 *
 * <p>Patterns are matched as they are, with no regular expression: a pattern with many stars
 * compiled to one ({@code a*a*a*…b}) took exponential time on a long topic name, and was compiled
 * again for every request that carried the token.
 */
public record Grants(List<String> subscribe, List<String> publish) {

  public static final String CLAIM = "topics";

  public static Grants of(JsonObject claims) {
    JsonObject topics = claims == null ? null : claims.getValue(CLAIM) instanceof JsonObject o ? o : null;
    return new Grants(patterns(topics, "sub"), patterns(topics, "pub"));
  }

  public boolean maySubscribe(String topic) {
    return matchesAny(subscribe, topic);
  }

  public boolean mayPublish(String topic) {
    return matchesAny(publish, topic);
  }

  private static boolean matchesAny(List<String> patterns, String topic) {
    for (String pattern : patterns) {
      if (matches(pattern, topic)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether {@code topic} fits {@code pattern}: characters match themselves, a star any run of
   * them. On a mismatch the walk goes back only to the last star, letting it take one character
   * more, so it takes at most the pattern's length times the topic's.
   */
  static boolean matches(String pattern, String topic) {
    int p = 0;
    int t = 0;
    int star = -1; // the last star seen, and where in the topic its run ends for now
    int starEnd = 0;
    while (t < topic.length()) {
      if (p < pattern.length() && pattern.charAt(p) == '*') {
        star = p++;
        starEnd = t;
      } else if (p < pattern.length() && pattern.charAt(p) == topic.charAt(t)) {
        p++;
        t++;
      } else if (star >= 0) {
        p = star + 1;
        t = ++starEnd;
      } else {
        return false;
      }
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pattern.length();
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
