package io.pushgateway.gateway.core;

/** Topic names: {@code ^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$}. They never need escaping in JSON or cursors. */
public final class Topics {

  /** The longest name, in characters (all ASCII). */
  public static final int MAX_LENGTH = 128;

  private Topics() {
  }

  /** Checked by hand, not by a regex: every poll checks its topics and its cursor's. */
  public static boolean isValid(String name) {
    if (name == null || name.isEmpty() || name.length() > MAX_LENGTH || !isAlphanumeric(name.charAt(0))) {
      return false;
    }
    for (int i = 1; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!isAlphanumeric(c) && c != '_' && c != '.' && c != '-') {
        return false;
      }
    }
    return true;
  }

  /** {@code [A-Za-z0-9_-]{1,maxLength}}, what an epoch is made of. */
  public static boolean isPlainWord(String text, int maxLength) {
    if (text.isEmpty() || text.length() > maxLength) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!isAlphanumeric(c) && c != '_' && c != '-') {
        return false;
      }
    }
    return true;
  }

  private static boolean isAlphanumeric(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }

  public static String require(String name) {
    if (!isValid(name)) {
      throw new GatewayException(ErrorCode.INVALID_TOPIC,
        "topic must match [A-Za-z0-9][A-Za-z0-9_.-]{0,127}, got " + quote(name));
    }
    return name;
  }

  private static String quote(String s) {
    if (s == null) {
      return "nothing";
    }
    String shown = s.length() > 40 ? s.substring(0, 40) + "…" : s;
    return "'" + shown + "'";
  }
}
