package io.pushgateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Netty and Vert.x's implementation classes are reached from two packages only: {@code wire} (the
 * wire formats, on Netty's public buffer and codec types) and {@code transport.netty} (the raw
 * write path, the one place that reaches the channel under a Vert.x connection). Everything else
 * uses Vert.x's public API, so an upgrade that breaks the fast path can be met with
 * {@code writePath=vertx}; and no class of ours sits in Netty's or Vert.x's packages.
 */
class InternalsTest {

  private static final Path SOURCES = Path.of("src", "main", "java");
  private static final Path OURS = SOURCES.resolve("io/pushgateway/gateway");
  private static final Pattern INTERNAL = Pattern.compile(
    "^import (static )?(io\\.netty\\.[\\w.]+|io\\.vertx\\.[\\w.]*\\.(impl|internal)\\.[\\w.]+);", Pattern.MULTILINE);
  private static final List<String> ALLOWED = List.of("wire", "transport/netty");

  @Test
  void onlyTheWireFormatsAndTheRawWritePathReachInternals() throws IOException {
    Map<String, String> offenders = new TreeMap<>();
    try (Stream<Path> files = Files.walk(OURS)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        String relative = OURS.relativize(file).toString().replace('\\', '/');
        if (ALLOWED.stream().anyMatch(p -> relative.startsWith(p + "/"))) {
          continue;
        }
        Matcher imports = INTERNAL.matcher(Files.readString(file));
        if (imports.find()) {
          offenders.put(relative, imports.group(2));
        }
      }
    }
    assertThat(offenders).as("classes importing Netty or Vert.x internals outside wire/ and transport/netty/")
      .isEmpty();
  }

  @Test
  void noClassOfOursLivesInAnotherProjectsPackage() throws IOException {
    try (Stream<Path> files = Files.walk(SOURCES)) {
      assertThat(files.filter(f -> f.toString().endsWith(".java")).map(SOURCES::relativize).map(Path::toString))
        .allMatch(f -> f.replace('\\', '/').startsWith("io/pushgateway/"));
    }
  }
}
