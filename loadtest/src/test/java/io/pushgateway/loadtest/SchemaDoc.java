package io.pushgateway.loadtest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The field table of SCHEMA.md, read as the test's schema: the document is what is checked. */
final class SchemaDoc {
  private static final Pattern ROW = Pattern.compile("^\\| `([^`]+)` \\| (\\w+)(\\?)? \\|");

  private record Field(String type, boolean nullable) {
  }

  private final Map<String, Field> fields;

  private SchemaDoc(Map<String, Field> fields) {
    this.fields = fields;
  }

  static SchemaDoc load(Path markdown) throws IOException {
    Map<String, Field> fields = new LinkedHashMap<>();
    for (String line : Files.readAllLines(markdown)) {
      Matcher m = ROW.matcher(line);
      if (m.find()) {
        fields.put(m.group(1), new Field(m.group(2), m.group(3) != null));
      }
    }
    if (fields.size() < 20) {
      throw new IllegalStateException("SCHEMA.md has no field table");
    }
    return new SchemaDoc(fields);
  }

  /** Every documented field present with its type, and nothing undocumented. */
  List<String> violations(JsonObject doc) {
    List<String> out = new ArrayList<>();
    fields.forEach((path, field) -> check(doc, path, field, out));
    walk(doc, "", out);
    return out;
  }

  private void check(JsonObject doc, String path, Field field, List<String> out) {
    List<Object> values = new ArrayList<>();
    collect(doc, path.split("\\."), 0, values, out, path);
    for (Object v : values) {
      if (v == null) {
        if (!field.nullable()) {
          out.add(path + " is null");
        }
      } else if (!typeOk(field.type(), v)) {
        out.add(path + " is " + v.getClass().getSimpleName() + ", documented " + field.type());
      }
    }
  }

  /** Values at a path; {@code runs[]} fans out; a null parent means the child is absent too. */
  private static void collect(Object node, String[] parts, int i, List<Object> values, List<String> out, String path) {
    if (i == parts.length) {
      values.add(node);
      return;
    }
    if (node == null) {
      return;
    }
    if (!(node instanceof JsonObject o)) {
      out.add(path + ": parent is not an object");
      return;
    }
    String key = parts[i];
    boolean each = key.endsWith("[]");
    String name = each ? key.substring(0, key.length() - 2) : key;
    if (!o.containsKey(name)) {
      out.add(path + " is missing");
      return;
    }
    Object v = o.getValue(name);
    if (each && v instanceof JsonArray a) {
      for (Object e : a) {
        collect(e, parts, i + 1, values, out, path);
      }
    } else {
      collect(v, parts, i + 1, values, out, path);
    }
  }

  private void walk(Object node, String path, List<String> out) {
    if (node instanceof JsonObject o) {
      for (String k : o.fieldNames()) {
        String p = path.isEmpty() ? k : path + "." + k;
        if (!fields.containsKey(p)) {
          out.add(p + " is not documented");
        }
        Object v = o.getValue(k);
        if (v instanceof JsonArray a && p.equals("runs")) {
          a.forEach(e -> walk(e, "runs[]", out));
        } else if (p.endsWith(".scenario") && p.startsWith("runs[]")) {
          walk(v, "scenario", out);
        } else if (p.equals("target.radio") || p.startsWith("target.peerDetails.") || p.equals("sweep.capacity")) {
          continue; // the radio model's own file format, described with the models
        } else if (p.equals("runs[].mobileByRadio") && v instanceof JsonObject byRadio) {
          byRadio.fieldNames().forEach(radio -> walk(byRadio.getValue(radio), "runs[].mobile", out));
        } else {
          walk(v, p, out);
        }
      }
    }
  }

  private static boolean typeOk(String type, Object v) {
    return switch (type) {
      case "string" -> v instanceof String;
      case "integer" -> v instanceof Integer || v instanceof Long;
      case "number" -> v instanceof Number;
      case "boolean" -> v instanceof Boolean;
      case "object" -> v instanceof JsonObject;
      case "array" -> v instanceof JsonArray;
      default -> false;
    };
  }
}
