package io.pushgateway.loadtest.target;

import io.pushgateway.loadtest.client.Endpoint;
import io.pushgateway.loadtest.net.ByteCountingProxy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Nchan in a private nginx on a free loopback port: the configuration ({@code nchan/nginx.conf},
 * beside this class) rendered into a folder of its own, nginx started there in the foreground, one
 * worker process. Never the system's nginx: its configuration, logs, service and ports stay
 * untouched. CPU and memory are the master's and its worker's together.
 */
public final class NchanServer extends ServerProcess {
  /** Where Debian's libnginx-mod-nchan puts the module; {@code PUSH_LOADTEST_NCHAN_MODULE} overrides it. */
  static final String DEFAULT_MODULE = "/usr/lib/nginx/modules/ngx_nchan_module.so";
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);

  private final Path prefix;

  private NchanServer(Process process, Path prefix, Endpoint endpoint) {
    super(process, endpoint);
    this.prefix = prefix;
  }

  /** Whether nginx and the Nchan module are installed, so {@code --peer nchan} can run. */
  public static boolean available() {
    return Files.isExecutable(nginx()) && Files.isRegularFile(module());
  }

  /** Starts nginx with Nchan, its log in {@code log}; with {@code cpus} pinned to those cores. */
  public static NchanServer start(Path log, String cpus) {
    if (!available()) {
      throw new IllegalStateException("--peer nchan needs nginx and its Nchan module (" + module()
        + "); on Debian: apt-get install nginx-light libnginx-mod-nchan");
    }
    int port = ByteCountingProxy.freePort();
    try {
      Path prefix = Files.createTempDirectory("push-loadtest-nchan-");
      for (String dir : List.of("body", "proxy", "fastcgi", "uwsgi", "scgi")) {
        Files.createDirectories(prefix.resolve("tmp").resolve(dir));
      }
      Files.writeString(prefix.resolve("nginx.conf"), configuration(prefix, port));
      List<String> cmd = new ArrayList<>();
      if (cpus != null) {
        cmd.addAll(List.of("taskset", "-c", cpus));
      }
      cmd.addAll(List.of(nginx().toString(), "-p", prefix.toString(), "-c", prefix.resolve("nginx.conf").toString(),
        "-e", prefix.resolve("error.log").toString(), "-g", "daemon off;"));
      Files.createDirectories(log.toAbsolutePath().getParent());
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      NchanServer server = new NchanServer(p, prefix, new Endpoint("127.0.0.1", port));
      // its own folder is what only this nginx answers
      server.awaitAnswer("nginx", "/ready", prefix.toString(), () -> server.worker().isPresent(), READY_TIMEOUT,
        server::errorLog);
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("could not start nginx with Nchan", e);
    }
  }

  static String configuration(Path prefix, int port) throws IOException {
    try (InputStream in = NchanServer.class.getResourceAsStream("/nchan/nginx.conf")) {
      String template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      // a master started as root runs its workers as nobody, who could not use the private folder
      String user = "root".equals(System.getProperty("user.name")) ? "user root;\n" : "";
      return template.replace("@MODULE@", module().toString()).replace("@WORKERS@", "1")
        .replace("@PREFIX@", prefix.toString()).replace("@PORT@", Integer.toString(port))
        .replace("worker_processes 1;", user + "worker_processes 1;");
    }
  }

  /**
   * For the report: nginx's version and the Nchan package's (where the package manager knows it),
   * and the configuration a run uses, without its comments.
   */
  public static Map<String, String> describe() {
    Map<String, String> out = new LinkedHashMap<>();
    out.put("nginx", firstLine(List.of(nginx().toString(), "-v")).replace("nginx version: ", ""));
    out.put("nchan", firstLine(List.of("dpkg-query", "-W", "-f", "${Version}", "libnginx-mod-nchan")));
    try {
      out.put("configuration", configuration(Path.of("PREFIX"), 0).lines()
        .filter(line -> !line.isBlank() && !line.trim().startsWith("#"))
        .map(String::strip).reduce((a, b) -> a + "\n" + b).orElse(""));
    } catch (IOException e) {
      out.put("configuration", "unreadable: " + e.getMessage());
    }
    return out;
  }

  private static Path nginx() {
    Path sbin = Path.of("/usr/sbin/nginx");
    return Files.isExecutable(sbin) ? sbin : Path.of("/usr/bin/nginx");
  }

  private static Path module() {
    String override = System.getenv("PUSH_LOADTEST_NCHAN_MODULE");
    return Path.of(override != null && !override.isBlank() ? override : DEFAULT_MODULE);
  }

  private java.util.Optional<ProcessHandle> worker() {
    return process.toHandle().children().findFirst();
  }

  private String errorLog() {
    try {
      return "its error log:\n" + Files.readString(prefix.resolve("error.log"));
    } catch (IOException e) {
      return "no error log";
    }
  }

  @Override
  public String kind() {
    return Peer.NCHAN.wireName();
  }

  @Override
  public Peer peer() {
    return Peer.NCHAN;
  }

  /** SIGTERM: nginx's fast shutdown stops the workers; then the private folder goes. */
  @Override
  public void close() {
    super.close();
    try (Stream<Path> files = Files.walk(prefix)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // a leftover temporary folder is no reason to fail a run
    }
  }
}
