package io.pushgateway.loadtest.target;

import io.pushgateway.loadtest.client.Endpoint;
import io.pushgateway.loadtest.net.ByteCountingProxy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Socket.IO 4 in Node on a free loopback port: the server script and its package file (beside this
 * class, {@code socketio/}) copied into a folder of the user's cache, the pinned {@code socket.io}
 * installed there once with npm, then {@code node server.js} started for each run.
 */
public final class SocketIoServer extends ServerProcess {
  /** The version installed, as pinned in {@code socketio/package.json}. */
  public static final String VERSION = "4.8.1";
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);

  private SocketIoServer(Process process, Endpoint endpoint) {
    super(process, endpoint);
  }

  /** Whether Node and npm are installed, so {@code --peer socketio} can run. */
  public static boolean available() {
    return runs(List.of("node", "--version")) && runs(List.of("npm", "--version"));
  }

  /** Starts the server (installing socket.io first if this machine has not yet), its output in {@code log}. */
  public static SocketIoServer start(Path log, String cpus) {
    Path dir = install();
    int port = ByteCountingProxy.freePort();
    String token = UUID.randomUUID().toString();
    List<String> cmd = new ArrayList<>();
    if (cpus != null) {
      cmd.addAll(List.of("taskset", "-c", cpus));
    }
    cmd.addAll(List.of("node", "server.js", "--port", Integer.toString(port), "--token", token));
    try {
      Files.createDirectories(log.toAbsolutePath().getParent());
      Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
      SocketIoServer server = new SocketIoServer(p, new Endpoint("127.0.0.1", port));
      server.awaitAnswer("node", "/health", token, () -> true, READY_TIMEOUT, () -> "its output:\n" + read(log));
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("could not start Socket.IO: " + String.join(" ", cmd), e);
    }
  }

  /** The folder with the server and its node_modules, made and installed once per version. */
  static Path install() {
    Path dir = Path.of(System.getProperty("user.home"), ".cache", "push-loadtest", "socketio-" + VERSION);
    try {
      Files.createDirectories(dir);
      for (String file : List.of("server.js", "package.json")) {
        try (InputStream in = SocketIoServer.class.getResourceAsStream("/socketio/" + file)) {
          Files.write(dir.resolve(file), in.readAllBytes());
        }
      }
      if (Files.isRegularFile(dir.resolve("node_modules/socket.io/package.json"))) {
        return dir;
      }
      Process npm = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund", "--omit=dev")
        .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("npm-install.log").toFile())
        .start();
      if (!npm.waitFor(INSTALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS) || npm.exitValue() != 0) {
        npm.destroyForcibly();
        throw new IllegalStateException("npm install of socket.io " + VERSION + " failed; its log: "
          + Files.readString(dir.resolve("npm-install.log")));
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("could not install socket.io into " + dir, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted installing socket.io", e);
    }
  }

  private static String read(Path log) {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }

  private static boolean runs(List<String> cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** For the report: the versions that ran. */
  public static Map<String, String> describe() {
    Map<String, String> out = new LinkedHashMap<>();
    out.put("socketio", VERSION);
    out.put("node", firstLine(List.of("node", "--version")));
    out.put("settings", "Socket.IO's defaults: pingInterval 25 s, no per-message deflate, HTTP long-polling "
      + "compression above 1 KiB; one Node process");
    return out;
  }

  @Override
  public String kind() {
    return Peer.SOCKETIO.wireName();
  }

  @Override
  public Peer peer() {
    return Peer.SOCKETIO;
  }
}
