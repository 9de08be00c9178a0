package io.pushgateway.gateway.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The browser client's TypeScript declarations ({@code static/push-client.d.mts}) against the
 * TypeScript compiler: a use of every member type-checks with {@code --strict}, and each of a set
 * of mistakes is reported, so the declarations are neither wrong nor {@code any}. Their options are
 * the client's: every entry of {@code DEFAULTS} is declared. The compiler is a pinned version,
 * installed with npm once per machine.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class TypeDeclarationsTest {

  private static final String TYPESCRIPT = "5.9.3";
  private static final Path DECLARATIONS = Path.of("..", "static", "push-client.d.mts");
  /** The lines of misuse.mts tsc must report: each holds one mistake. */
  private static final List<Integer> EXPECTED_ERRORS = List.of(5, 6, 7, 8, 9, 10, 11);
  private static final Pattern ERROR_LINE = Pattern.compile("misuse\\.mts\\((\\d+),\\d+\\): error");

  @TempDir
  static Path work;
  private static Path tsc;

  @BeforeAll
  static void install() throws Exception {
    Path dir = Path.of(System.getProperty("user.home"), ".cache", "push-gateway", "typescript-" + TYPESCRIPT);
    tsc = dir.resolve("node_modules/typescript/bin/tsc");
    if (!Files.isRegularFile(tsc)) {
      Files.createDirectories(dir);
      Result npm = run(dir, List.of("npm", "install", "--no-audit", "--no-fund", "--prefix", dir.toString(),
        "typescript@" + TYPESCRIPT));
      assertThat(npm.exit).as("npm install typescript@" + TYPESCRIPT + ":\n" + npm.output).isZero();
    }
    Files.copy(DECLARATIONS, work.resolve("push-client.d.mts"));
    for (String fixture : List.of("uses.mts", "misuse.mts")) {
      try (InputStream in = TypeDeclarationsTest.class.getResourceAsStream("/typescript/" + fixture)) {
        Files.write(work.resolve(fixture), in.readAllBytes());
      }
    }
  }

  @Test
  void aUseOfEveryMemberTypeChecks() throws Exception {
    Result result = tsc("uses.mts");
    assertThat(result.exit).as(result.output).isZero();
  }

  @Test
  void eachMistakeIsReported() throws Exception {
    Result result = tsc("misuse.mts");
    TreeSet<Integer> reported = new TreeSet<>();
    Matcher error = ERROR_LINE.matcher(result.output);
    while (error.find()) {
      reported.add(Integer.parseInt(error.group(1)));
    }
    assertThat(reported).as(result.output).containsExactlyElementsOf(EXPECTED_ERRORS);
  }

  @Test
  void everyOptionWithADefaultIsDeclared() throws Exception {
    String declarations = Files.readString(DECLARATIONS);
    assertThat(ClientDefaultsDocTest.defaults().keySet()).isNotEmpty()
      .allSatisfy(option -> assertThat(declarations).as("push-client.d.mts declares " + option)
        .containsPattern("\\n  " + option + "\\?: "));
  }

  private static Result tsc(String file) throws Exception {
    return run(work, List.of("node", tsc.toString(), "--noEmit", "--strict", "--target", "es2022", "--module",
      "nodenext", "--moduleResolution", "nodenext", "--lib", "es2022,dom", file));
  }

  private static Result run(Path dir, List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(new ArrayList<>(command)).directory(dir.toFile()).redirectErrorStream(true)
      .start();
    byte[] output = process.getInputStream().readAllBytes(); // to the end: the process has exited or closed it
    assertThat(process.waitFor(240, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
    return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
  }

  private record Result(int exit, String output) {
  }
}
