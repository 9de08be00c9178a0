package io.pushgateway.loadtest;

import io.pushgateway.loadtest.chaos.ChaosRun;
import io.pushgateway.loadtest.client.Endpoint;
import io.pushgateway.loadtest.client.PayloadFill;
import io.pushgateway.loadtest.client.PayloadKind;
import io.pushgateway.loadtest.client.SubscriberFormat;
import io.pushgateway.loadtest.client.Transport;
import io.pushgateway.loadtest.net.NetworkProfile;
import io.pushgateway.loadtest.radio.RadioModel;
import io.pushgateway.loadtest.target.NchanServer;
import io.pushgateway.loadtest.target.SocketIoServer;
import io.pushgateway.loadtest.target.Peer;
import io.pushgateway.loadtest.report.ConsoleTable;
import io.pushgateway.loadtest.report.HtmlReport;
import io.pushgateway.loadtest.report.ResultDocument;
import io.pushgateway.loadtest.target.ExternalTarget;
import io.pushgateway.loadtest.target.SpawnedGateway;
import io.pushgateway.loadtest.target.Target;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Command line of the load test; validates everything before anything starts. */
@Command(name = "push-loadtest", mixinStandardHelpOptions = true, version = "push-loadtest 0.1",
  sortOptions = false, usageHelpWidth = 100,
  description = {
    "Measures what each transport of the push gateway costs: one publisher, N subscribers per transport,",
    "latency from publish to receive, loss/duplicates/order, and bytes on the wire counted at the TCP level.",
    "Without --target it starts the gateway as a separate JVM per run. Results: result.json + report.html."},
  footer = {"", "Examples:",
    "  java -jar push-loadtest.jar",
    "  java -jar push-loadtest.jar --subscribers 100 --rate 10 --duration 20 --sweep poll-interval=250,500,1000,2000",
    "  java -jar push-loadtest.jar --network 3g --transports ws,short",
    "  java -jar push-loadtest.jar --transports ws --compression --payload-fill repeat",
    "  java -jar push-loadtest.jar --target http://127.0.0.1:8080,http://127.0.0.1:8081 --concurrent"})
public final class LoadTestMain implements Callable<Integer> {
  /** Sockets the load generator holds per subscriber: client, proxy's accepted side, proxy's upstream. */
  static final int SOCKETS_PER_SUBSCRIBER = 3;
  static final int SOCKETS_PER_SUBSCRIBER_UNPROXIED = 1;
  /** What one process may open here, less room for the JVM's own files. */
  static final int MAX_SOCKETS = 19_000;

  @Spec
  CommandSpec spec;

  @Option(names = "--target", split = ",", paramLabel = "URL",
    description = "Running gateway(s), e.g. http://127.0.0.1:8080; subscribers are spread over them, the publisher uses the first. Default: start one per run.")
  List<URI> targets = new ArrayList<>();

  @Option(names = "--gateway-pid", paramLabel = "PID",
    description = "With a single local --target: its process id, to report its CPU and memory.")
  Long gatewayPid;

  @Option(names = "--subscribers", paramLabel = "N", description = "Subscribers per transport (default: ${DEFAULT-VALUE}).")
  int subscribers = 100;

  @Option(names = "--transports", paramLabel = "LIST", description = "Some of ws,sse,long,short (default: ${DEFAULT-VALUE}).")
  String transports = "ws,sse,long,short";

  @Option(names = "--rate", paramLabel = "EVENTS/S", description = "Events per second from the publisher (default: ${DEFAULT-VALUE}).")
  double rate = 10;

  @Option(names = "--payload", paramLabel = "BYTES", description = "Payload characters per event (default: ${DEFAULT-VALUE}).")
  int payload = 128;

  @Option(names = "--payload-fill", paramLabel = "random|repeat",
    description = "Payload characters: random base64, which compression barely shrinks, or one short pattern repeated, compression's best case (default: ${DEFAULT-VALUE}).")
  String payloadFill = "random";

  @Option(names = "--payload-kind", paramLabel = "text|binary",
    description = "Events of JSON data, or binary events of --payload bytes (raw on WebSocket, base64 on SSE and polls) (default: ${DEFAULT-VALUE}).")
  String payloadKind = "text";

  @Option(names = "--publish-batch", paramLabel = "N",
    description = "Events due together go in one publish op of up to N events (a batch publish); 1 sends each on its own (default: ${DEFAULT-VALUE}).")
  int publishBatch = 1;

  @Option(names = "--duration", paramLabel = "SECONDS", description = "Measured publishing time per run (default: ${DEFAULT-VALUE}).")
  double duration = 20;

  @Option(names = "--warmup", paramLabel = "SECONDS", description = "Publishing before the measurement, not counted (default: ${DEFAULT-VALUE}).")
  double warmup = 5;

  @Option(names = "--generator-warmup", paramLabel = "SECONDS",
    description = "Before the first run, drive a throwaway server of each kind this long, unmeasured, so the "
      + "generator's own JIT is warm: with a short --warmup the first seconds measured are then the server's "
      + "alone (default: ${DEFAULT-VALUE}).")
  double generatorWarmup = 0;

  @Option(names = "--poll-interval", paramLabel = "MS", description = "Short-polling interval (default: ${DEFAULT-VALUE}).")
  long pollInterval = 1000;

  @Option(names = "--client", paramLabel = "vertx|java",
    description = "Subscribers: the generator's own light clients (vertx) or the project's Java client (java), "
      + "one thread and one OkHttp connection each, so its CPU and memory are measured (default: ${DEFAULT-VALUE}).")
  String client = "vertx";

  @Option(names = "--format", paramLabel = "json|compact[+delta]",
    description = "What the gateway's subscribers ask for: its default JSON events, or the compact format "
      + "(events [alias,data], ids derived; fewer bytes per event); +delta: data as a patch from the previous "
      + "event's (delta=merge), the payload left out when it repeats (--payload-fill repeat) "
      + "(default: ${DEFAULT-VALUE}).")
  String format = "json";

  @Option(names = "--concurrent", description = "Run all transports at once on one topic (default: one after another).")
  boolean concurrent;

  @Option(names = "--sweep", paramLabel = "NAME=V1,V2,...",
    description = "A series changing one parameter: poll-interval=MS,..., subscribers=N,..., payload=BYTES,..., "
      + "events-per-minute=N,... (the publisher's rate) or heartbeat=S,... (a started gateway's WebSocket ping and SSE "
      + "keep-alive interval).")
  String sweep;

  @Option(names = "--out", paramLabel = "DIR", description = "Result folder (default: a new folder under ./loadtest-results/).")
  Path out;

  @Option(names = "--network", paramLabel = "PROFILE", description = "Shape each subscriber's link: lan, wifi, 4g or 3g.")
  String network;

  @Option(names = "--rtt", paramLabel = "MS", description = "Round-trip time to add (overrides the profile's).")
  Integer rtt;

  @Option(names = "--bandwidth", paramLabel = "RATE[/UP]", description = "Per-subscriber bandwidth, e.g. 1.6mbit or 10mbit/2mbit (down/up).")
  String bandwidth;

  @Option(names = "--peer", paramLabel = "gateway|nchan|socketio|all",
    description = "The server to drive: the gateway, Nchan (nginx's pub/sub module, started in a private nginx; "
      + "needs nginx and libnginx-mod-nchan), Socket.IO 4 (Node; WebSocket and long polling only), or all of them "
      + "one after another on the same workload (default: ${DEFAULT-VALUE}).")
  String peer = "gateway";

  @Option(names = "--peer-url", paramLabel = "URL",
    description = "A peer already running (with --peer nchan or socketio), e.g. http://127.0.0.1:9200, instead of starting one.")
  URI peerUrl;

  @Option(names = "--radio", paramLabel = "lte|3g|wifi|none|FILE",
    description = "The phone radio each subscriber's packets are run through (runs[].mobile: radio-active time, "
      + "energy per hour and per event): a built-in model, none, or a JSON file in their format (default: ${DEFAULT-VALUE}).")
  String radio = LoadTest.DEFAULT_RADIO;

  @Option(names = "--headers", paramLabel = "minimal|browser",
    description = "Request headers: what HTTP/1.1 needs, or a browser's set (~400 B) (default: ${DEFAULT-VALUE}).")
  String headers = "minimal";

  @Option(names = "--no-proxy",
    description = "Connect subscribers straight to the gateway: latency and CPU only, no byte counts, no network profile.")
  boolean noProxy;

  @Option(names = "--gateway-jvm-opts", paramLabel = "OPTS",
    description = "JVM options of a started gateway, space separated, after the README's -XX:+UseSerialGC -Xms16m "
      + "-XX:SurvivorRatio=4 -XX:-UsePerfData (a collector named here replaces the serial one).")
  String gatewayJvmOpts = "";

  @Option(names = "--gateway-arg", paramLabel = "ARG", description = "Extra argument for a started gateway (repeatable).")
  List<String> gatewayArgs = new ArrayList<>();

  @Option(names = "--baseline",
    description = "After each WebSocket run, run it again against a bare Vert.x broadcaster (its own JVM, one event loop, one prebuilt frame per event, no history) and report the gateway as a ratio of it (runs[].vsBaseline).")
  boolean baseline;

  @Option(names = "--compression",
    description = "After each WebSocket run against a started gateway, start a second one with --set compression=true (same JVM options and --server-cpus), run the same scenario with subscribers that offer permessage-deflate (the default ones do not), and report its wire bytes, CPU, heap, loss and latency beside the plain run, with ratios (runs[].compressed).")
  boolean compression;

  @Option(names = "--server-cpus", paramLabel = "LIST",
    description = "Pin started gateway/baseline JVMs to these cores (taskset -c LIST), e.g. 0; pin the load test itself with taskset -c 1.")
  String serverCpus;

  @Option(names = "--chaos",
    description = "Soak under chaos for --duration seconds: --subscribers well-behaved subscribers (a tenth of them slow readers) that are cut off at random and resume with their cursor on a random transport, garbage frames and oversize requests; reports loss, errors by code and gateway heap (chaos.json); exit 1 on any loss.")
  boolean chaos;

  @Option(names = "--render", paramLabel = "RESULT_JSON",
    description = "Run nothing: re-render report.html and the charts next to an existing result.json and print its tables (also as markdown).")
  Path render;

  public static void main(String[] args) {
    System.exit(new CommandLine(new LoadTestMain()).execute(args));
  }

  @Override
  public Integer call() throws IOException {
    if (render != null) {
      return renderOnly();
    }
    if (chaos) {
      return chaos();
    }
    require(client.equals("vertx") || client.equals("java"), "--client must be vertx or java");
    SubscriberFormat subscriberFormat = parse(() -> SubscriberFormat.of(format));
    Scenario scenario = scenario();
    Sweep series = sweep == null ? null : parse(() -> Sweep.parse(sweep));
    require(series == null || !series.parameter().equals("heartbeat") || targets.isEmpty(),
      "--sweep heartbeat sets the intervals of the gateways it starts: drop --target");
    checkSockets(scenario, series);
    Path dir = out != null ? out : defaultOut();
    LoadTest.Options options = new LoadTest.Options(targets,
      gatewayPid == null ? OptionalLong.empty() : OptionalLong.of(gatewayPid),
      SpawnedGateway.jvmOptions(gatewayJvmOpts), gatewayArgs, dir,
      System.out, baseline, compression, serverCpus, client.equals("java"),
      radio.equalsIgnoreCase("none") ? null : parse(() -> RadioModel.load(radio)), peers(), peerUrl,
      subscriberFormat, generatorWarmup);
    new LoadTest(options, scenario, series).run();
    return 0;
  }

  private int chaos() throws IOException {
    require(subscribers >= 1 && subscribers <= 5_000, "--chaos: --subscribers must be 1 to 5000");
    require(duration > 0 && duration <= 3600, "--duration must be above 0 and at most 3600 s");
    require(rate > 0 && rate <= 1000, "--chaos: --rate must be above 0 and at most 1000 events/s");
    require(payload >= 0 && payload <= 60_000, "--chaos: --payload must be 0 to 60000 bytes");
    Path dir = out != null ? out : defaultOut();
    ChaosRun.Settings settings = new ChaosRun.Settings(duration, subscribers, Math.max(1, subscribers / 10), rate,
      payload, 42);
    List<String> args = new ArrayList<>(List.of("--set", "maxQueueBytes=65536"));
    args.addAll(gatewayArgs);
    try (Target target = targets.isEmpty()
      ? SpawnedGateway.start(dir.resolve("gateway.log"),
        SpawnedGateway.jvmOptions(gatewayJvmOpts), args)
      : new ExternalTarget(targets.stream().map(Endpoint::of).toList(),
        gatewayPid == null ? OptionalLong.empty() : OptionalLong.of(gatewayPid))) {
      return ChaosRun.clean(new ChaosRun(target, settings, System.out).run(dir)) ? 0 : 1;
    }
  }

  private int renderOnly() throws IOException {
    require(Files.isRegularFile(render), "--render: no file " + render);
    JsonObject doc = new JsonObject(Files.readString(render));
    require(ResultDocument.SCHEMA.equals(doc.getString("schema")), "--render: " + render + " is not a "
      + ResultDocument.SCHEMA + " result");
    Path dir = render.toAbsolutePath().getParent();
    Files.writeString(dir.resolve("report.html"), HtmlReport.render(doc));
    for (var chart : HtmlReport.charts(doc).entrySet()) {
      Files.writeString(dir.resolve(chart.getKey()), chart.getValue());
    }
    System.out.print(ConsoleTable.render(doc));
    System.out.println();
    System.out.print(ConsoleTable.markdown(doc));
    return 0;
  }

  Scenario scenario() {
    List<Transport> list = parse(() -> Transport.parseList(transports));
    require(subscribers >= 1, "--subscribers must be at least 1");
    require(rate > 0 && rate <= 100_000, "--rate must be above 0 and at most 100000 events/s");
    require(payload >= 0 && payload <= 16 * 1024 * 1024, "--payload must be 0 to 16777216 bytes");
    require(duration > 0 && duration <= 3600, "--duration must be above 0 and at most 3600 s");
    require(warmup >= 0 && warmup <= 600, "--warmup must be 0 to 600 s");
    require(generatorWarmup >= 0 && generatorWarmup <= 600, "--generator-warmup must be 0 to 600 s");
    require((warmup + duration) * rate < Integer.MAX_VALUE, "--rate x (--warmup + --duration) is too many events");
    require(pollInterval >= 10 && pollInterval <= 600_000, "--poll-interval must be 10 to 600000 ms");
    require(rtt == null || (rtt >= 0 && rtt <= 10_000), "--rtt must be 0 to 10000 ms");
    require(headers.equals("minimal") || headers.equals("browser"), "--headers must be minimal or browser");
    require(gatewayPid == null || targets.size() == 1, "--gateway-pid needs exactly one --target");
    require(!baseline || list.contains(Transport.WS), "--baseline needs the ws transport");
    require(!baseline || !concurrent, "--baseline compares WebSocket runs one at a time: drop --concurrent");
    require(!compression || targets.isEmpty(), "--compression starts its own gateways: drop --target");
    require(!compression || list.contains(Transport.WS), "--compression needs the ws transport");
    require(!compression || !concurrent, "--compression compares WebSocket runs one at a time: drop --concurrent");
    PayloadFill fill = parse(() -> PayloadFill.of(payloadFill));
    PayloadKind kind = parse(() -> PayloadKind.of(payloadKind));
    require(publishBatch >= 1 && publishBatch <= 1000, "--publish-batch must be 1 to 1000 (the gateway's maxBatchEvents)");
    require(publishBatch == 1 || kind == PayloadKind.TEXT, "--publish-batch: binary events are published one by one");
    require(kind == PayloadKind.TEXT || payload >= PayloadKind.BINARY_HEADER,
      "--payload-kind binary: --payload must be at least " + PayloadKind.BINARY_HEADER + " bytes (sequence and time)");
    require(serverCpus == null || serverCpus.matches("[0-9]+([-,][0-9]+)*"), "--server-cpus: a list such as 0 or 0-1");
    for (URI t : targets) {
      require("http".equals(t.getScheme()) && t.getHost() != null,
        "--target '" + t + "': expected http://HOST:PORT");
    }
    NetworkProfile base = network == null ? NetworkProfile.NONE : parse(() -> NetworkProfile.named(network));
    long[] bw = bandwidth == null ? null : parse(() -> NetworkProfile.parseBandwidth(bandwidth));
    NetworkProfile net = base.with(rtt, bw);
    require(!noProxy || !net.shaped(), "--no-proxy cannot shape the network: drop --network, --rtt and --bandwidth");
    return new Scenario(list, subscribers, rate, payload, duration, warmup, pollInterval, concurrent, net,
      headers.equals("browser"), !noProxy, fill, kind, publishBatch);
  }

  /** {@code --peer}: the servers each group runs against, in order. */
  private List<Peer> peers() {
    List<Peer> list = peer.trim().equalsIgnoreCase("all") ? List.of(Peer.values()) : List.of(parse(() -> Peer.of(peer)));
    boolean peers = list.stream().anyMatch(p -> p != Peer.GATEWAY);
    require(peerUrl == null || (list.size() == 1 && peers), "--peer-url names a running peer: give --peer nchan or socketio");
    require(!peers || targets.isEmpty() || list.size() == 1 && peerUrl != null,
      "--target names gateways; with --peer give the peer's --peer-url, or let the load test start both");
    require(!peers || !payloadKind.equalsIgnoreCase("binary"), "--peer: peers get text events only (drop --payload-kind)");
    require(!peers || publishBatch == 1, "--peer: peers get events one by one (drop --publish-batch)");
    require(!peers || client.equals("vertx"), "--peer: the Java client speaks the gateway's protocol only");
    if (list.contains(Peer.NCHAN) && !NchanServer.available() && peerUrl == null) {
      throw new ParameterException(spec.commandLine(), "--peer nchan needs nginx and its Nchan module; "
        + "on Debian: apt-get install nginx-light libnginx-mod-nchan");
    }
    if (list.contains(Peer.SOCKETIO) && !SocketIoServer.available() && peerUrl == null) {
      throw new ParameterException(spec.commandLine(), "--peer socketio needs Node and npm (it installs socket.io "
        + SocketIoServer.VERSION + " from the npm registry once)");
    }
    return list;
  }

  private void checkSockets(Scenario s, Sweep series) {
    long perRun = series != null && series.parameter().equals("subscribers")
      ? series.values().stream().mapToLong(Long::longValue).max().orElse(0) : s.subscribers();
    int perSubscriber = s.proxied() ? SOCKETS_PER_SUBSCRIBER : SOCKETS_PER_SUBSCRIBER_UNPROXIED;
    long total = perRun * (s.concurrent() ? s.transports().size() : 1) * perSubscriber;
    require(total <= MAX_SOCKETS, "a run would need " + total + " sockets in this process (" + perSubscriber
      + " per subscriber" + (s.proxied() ? ", with the proxy" : "") + ") but one process may open about " + MAX_SOCKETS
      + "; use fewer --subscribers, --no-proxy, or run transports one after another");
  }

  private static Path defaultOut() {
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Path dir = Path.of("loadtest-results", stamp);
    for (int i = 2; Files.exists(dir); i++) {
      dir = Path.of("loadtest-results", stamp + "-" + i);
    }
    return dir;
  }

  private void require(boolean ok, String message) {
    if (!ok) {
      throw new ParameterException(spec.commandLine(), message);
    }
  }

  private <T> T parse(java.util.function.Supplier<T> parser) {
    try {
      return parser.get();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }
}
