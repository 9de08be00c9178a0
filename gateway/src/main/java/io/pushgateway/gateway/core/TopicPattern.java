package io.pushgateway.gateway.core;

/**
 * Topic patterns: a topic name in which {@code *} stands for any run of characters ({@code *}
 * alone: every topic), as tokens' grants and history rules write them.
 *
 * <p>Patterns are matched as they are, with no regular expression: a pattern with many stars
 * compiled to one ({@code a*a*a*…b}) took exponential time on a long topic name.
 */
public final class TopicPattern {

  private TopicPattern() {
  }

  /**
   * Whether {@code topic} fits {@code pattern}: characters match themselves, a star any run of
   * them. On a mismatch the walk goes back only to the last star, letting it take one character
   * more, so it takes at most the pattern's length times the topic's.
   */
  public static boolean matches(String pattern, String topic) {
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

  /** Whether some topic could match: the pattern is a topic name once each star stands for a letter. */
  public static boolean isValid(String pattern) {
    return pattern != null && Topics.isValid(pattern.replace('*', 'x'));
  }
}
