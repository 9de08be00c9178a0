package io.pushgateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No class of ours sits in Netty's or Vert.x's packages: such a split package breaks on the module
 * path and on any change of a package-private signature. (Which of our packages may use their
 * internals is {@link ArchitectureTest}'s rule; it sees only our own packages, so this one reads
 * the source tree.)
 */
class InternalsTest {

  private static final Path SOURCES = Path.of("src", "main", "java");

  @Test
  void noClassOfOursLivesInAnotherProjectsPackage() throws IOException {
    try (Stream<Path> files = Files.walk(SOURCES)) {
      assertThat(files.filter(f -> f.toString().endsWith(".java")).map(SOURCES::relativize).map(Path::toString))
        .allMatch(f -> f.replace('\\', '/').startsWith("io/pushgateway/"));
    }
  }
}
