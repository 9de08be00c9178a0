package io.pushgateway.gateway.core;

import java.util.regex.Pattern;

/** Topic names: {@code ^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$}. They never need escaping in JSON or cursors. */
public final class Topics {

  /** The longest name, in characters (all ASCII). */
  public static final int MAX_LENGTH = 128;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0," + (MAX_LENGTH - 1) + "}");

  private Topics() {
  }

  public static boolean isValid(String name) {
    return name != null && NAME.matcher(name).matches();
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
