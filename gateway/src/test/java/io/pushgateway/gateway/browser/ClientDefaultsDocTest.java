package io.pushgateway.gateway.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The browser client's defaults live in one object literal, {@code DEFAULTS} in
 * {@code static/push-client.js}; the option table of {@code docs/browser-client.md} must say the
 * same. Plain text on both sides, no browser needed.
 */
class ClientDefaultsDocTest {

  private static final Path CLIENT = Path.of("..", "static", "push-client.js");
  private static final Path DOC = Path.of("..", "docs", "browser-client.md");
  /** {@code name: value,} inside the literal, a trailing comment allowed. */
  private static final Pattern ENTRY = Pattern.compile("^\\s*(\\w+):\\s*(.+?),?\\s*(//.*)?$");
  /** A table row: the option names in backticks, the default(s), the meaning. */
  private static final Pattern ROW = Pattern.compile("^\\|([^|]+)\\|([^|]+)\\|.*\\|$");

  @Test
  void everyDefaultIsDocumentedWithItsValue() throws Exception {
    Map<String, String> defaults = defaults();
    Map<String, String> documented = documented();
    assertThat(defaults).isNotEmpty();
    defaults.forEach((option, value) -> assertThat(documented.get(option))
      .as("docs/browser-client.md default of " + option)
      .isEqualTo(value));
  }

  @Test
  void everyDocumentedOptionWithADefaultIsInTheDefaults() throws Exception {
    Map<String, String> defaults = defaults();
    documented().forEach((option, value) -> {
      if (!value.equals("none") && !value.equals("(required)")) {
        assertThat(defaults).as("push-client.js DEFAULTS").containsKey(option);
      }
    });
  }

  @Test
  void theDocumentedFallbackOrderIsTheClients() throws Exception {
    String client = Files.readString(CLIENT);
    Matcher order = Pattern.compile("const TRANSPORTS = \\[([^\\]]*)]").matcher(client);
    assertThat(order.find()).isTrue();
    String arrows = String.join(" → ", order.group(1).replace("'", "").split(",\\s*"));
    assertThat(Files.readString(DOC)).contains("tries " + arrows);
  }

  /** The literal's entries, values as written ({@code 'auto'}, {@code 500}, {@code []}). */
  static Map<String, String> defaults() throws Exception {
    String client = Files.readString(CLIENT);
    int start = client.indexOf("const DEFAULTS = {");
    assertThat(start).as("DEFAULTS in push-client.js").isNotNegative();
    String body = client.substring(client.indexOf('{', start) + 1, client.indexOf("};", start));
    Map<String, String> defaults = new LinkedHashMap<>();
    for (String line : body.split("\n")) {
      Matcher entry = ENTRY.matcher(line);
      if (entry.matches()) {
        defaults.put(entry.group(1), entry.group(2).trim());
      }
    }
    return defaults;
  }

  /** The option table's defaults, per option; a row naming two options gives each its value. */
  private static Map<String, String> documented() throws Exception {
    List<String> lines = Files.readAllLines(DOC);
    int table = lines.indexOf("| option | default | meaning |");
    assertThat(table).as("option table in docs/browser-client.md").isNotNegative();
    Map<String, String> documented = new LinkedHashMap<>();
    for (String line : lines.subList(table + 2, lines.size())) {
      Matcher row = ROW.matcher(line);
      if (!row.matches()) {
        break;
      }
      String[] names = row.group(1).replace("`", "").trim().split(",\\s*");
      String[] values = row.group(2).replace("`", "").trim().split(",\\s*");
      for (int i = 0; i < names.length; i++) {
        documented.put(names[i], values.length == names.length ? values[i] : row.group(2).trim());
      }
    }
    return documented;
  }
}
