package io.pushgateway.gateway.core;

/** Topic names: {@code ^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$}. They never need escaping in JSON or cursors. */
public final class Topics {

  /** The longest name, in characters (all ASCII). */
  public static final int MAX_LENGTH = 128;

  private Topics() {
  }

  /** Checked by hand, not by a regex: every poll checks its topics and its cursor's. */
  public static boolean isValid(String name) {
    return name != null && !name.isEmpty() && name.length() <= MAX_LENGTH && isAlphanumeric(name.charAt(0))
      && onlyWordCharacters(name, 1, true);
  }

  /** {@code [A-Za-z0-9_-]{1,maxLength}}: what epochs and meter keys are made of. */
  public static boolean isPlainWord(String text, int maxLength) {
    return !text.isEmpty() && text.length() <= maxLength && onlyWordCharacters(text, 0, false);
  }

  /** Letters, digits, {@code _}, {@code -} and, if {@code dots}, {@code .} from {@code from} on. */
  private static boolean onlyWordCharacters(String text, int from, boolean dots) {
    for (int i = from; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!isAlphanumeric(c) && c != '_' && c != '-' && !(dots && c == '.')) {
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

  /** {@code s} as an error message shows it: quoted, its first 40 characters. */
  public static String quote(String s) {
    if (s == null) {
      return "nothing";
    }
    String shown = s.length() > 40 ? s.substring(0, 40) + "…" : s;
    return "'" + shown + "'";
  }
}
