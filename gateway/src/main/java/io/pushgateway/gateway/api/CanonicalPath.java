package io.pushgateway.gateway.api;

/**
 * The one spelling of a path the gateway serves. The router matches a normalised path
 * (RFC 3986 §5.2.4 dot segments removed, {@code //} and escapes of unreserved characters folded),
 * so {@code //poll}, {@code /%70oll} and {@code /x/../poll} would all reach {@code /poll}; rather
 * than reason about every spelling, anything but the canonical one is refused before routing.
 * No endpoint needs an escape in its path: topic names are {@code [A-Za-z0-9_.-]}.
 */
public final class CanonicalPath {

  private CanonicalPath() {
  }

  /**
   * Why {@code path} is not canonical, or null when it is: it starts with {@code /}, and has no
   * empty segment ({@code //}, or a trailing slash other than {@code /} itself), no {@code .} or
   * {@code ..} segment, no {@code %} escape and no backslash.
   */
  public static String problem(String path) {
    if (path == null || path.isEmpty() || path.charAt(0) != '/') {
      return "the path must start with /";
    }
    if (path.indexOf('%') >= 0) {
      return "the path must not contain % escapes";
    }
    if (path.indexOf('\\') >= 0) {
      return "the path must not contain a backslash";
    }
    if (path.length() == 1) {
      return null;
    }
    int start = 1;
    while (start <= path.length()) {
      int end = path.indexOf('/', start);
      if (end < 0) {
        end = path.length();
      }
      String segment = path.substring(start, end);
      if (segment.isEmpty()) {
        return end == path.length() ? "the path must not end with /" : "the path must not contain //";
      }
      if (segment.equals(".") || segment.equals("..")) {
        return "the path must not contain . or .. segments";
      }
      start = end + 1;
    }
    return null;
  }

  public static boolean isCanonical(String path) {
    return problem(path) == null;
  }
}
