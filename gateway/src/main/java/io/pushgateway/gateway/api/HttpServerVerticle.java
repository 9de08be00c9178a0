package io.pushgateway.gateway.api;

import io.pushgateway.gateway.config.GatewayConfig;
import io.pushgateway.gateway.core.ErrorCode;
import io.pushgateway.gateway.core.EventLog;
import io.pushgateway.gateway.core.GatewayException;
import io.pushgateway.gateway.core.Hub;
import io.pushgateway.gateway.core.PresenceChange;
import io.pushgateway.gateway.core.SubscriberCounts;
import io.pushgateway.gateway.metrics.GatewayMetrics;
import io.pushgateway.gateway.metrics.WireMeters;
import io.pushgateway.gateway.presence.Presence;
import io.pushgateway.gateway.security.Authenticator;
import io.pushgateway.gateway.security.Grant;
import io.pushgateway.gateway.security.Limits;
import io.pushgateway.gateway.security.Revocations;
import io.pushgateway.gateway.transport.Endpoint;
import io.pushgateway.gateway.transport.PublishRule;
import io.pushgateway.gateway.transport.PushWebSocket;
import io.pushgateway.gateway.http.HttpReplies;
import io.pushgateway.gateway.transport.TransportContext;
import io.pushgateway.gateway.transport.TransportHandler;
import io.pushgateway.gateway.transport.WritePath;
import io.pushgateway.gateway.transport.netty.FlushQueue;
import io.pushgateway.gateway.transport.netty.NettyWritePath;
import io.pushgateway.gateway.transport.vertx.VertxWritePath;
import io.pushgateway.gateway.transport.poll.LongPollTransport;
import io.pushgateway.gateway.transport.poll.ShortPollTransport;
import io.pushgateway.gateway.transport.sse.SseTransport;
import io.pushgateway.gateway.transport.ws.WebSocketTransport;
import io.pushgateway.gateway.transport.netty.RawConnection;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.FileSystemAccess;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * One HTTP server on one event loop: the enabled transports, the publish and topic API, health,
 * metrics and the bundled page. Several instances share the port; each has its own {@link Hub},
 * fed over the event bus with the events of its listeners' topics ({@code Hubs}), so fan-out
 * runs on every event loop at once.
 */
public final class HttpServerVerticle extends VerticleBase {

  /** The transports by name; {@code transports} in the config chooses which are mounted. */
  private static final List<Function<TransportContext, TransportHandler>> TRANSPORTS = List.of(
    WebSocketTransport::new, SseTransport::new, LongPollTransport::new, ShortPollTransport::new);

  private final GatewayConfig config;
  private final EventLog log;
  private final SubscriberCounts counts;
  private final GatewayMetrics metrics;
  private final BooleanSupplier ready;
  private final Hub hub;
  private PublishRule publishing;
  private List<TransportHandler> transports;
  /** Connection and publish limits shared by every server of the gateway. */
  private Limits limits;
  /** The revoked tokens, shared by every server of the gateway. */
  private Revocations revocations;
  /** Wire meters shared by every server of the gateway. */
  private WireMeters meters;
  private ConnectionGuard guard;
  /** Null when presence is off. */
  private Presence presence;
  private HttpServer server;

  public HttpServerVerticle(GatewayConfig config, EventLog log, SubscriberCounts counts, GatewayMetrics metrics,
                            BooleanSupplier ready) {
    this.config = config;
    this.log = log;
    this.counts = counts;
    this.hub = new Hub(counts);
    this.metrics = metrics;
    this.ready = ready;
  }

  @Override
  public Future<?> start() {
    if (limits == null) {
      // deployed alone: what a gateway shares among its servers (and sweeps once) is its own
      limits = new Limits(config);
      meters = new WireMeters(config.maxMeters());
      revocations = new Revocations(config.maxRevocations());
      vertx.setPeriodic(SWEEP_MILLIS, id -> sweep(limits, meters, revocations));
    }
    Future<Authenticator> auth = config.auth()
      ? Authenticator.create(vertx, config, metrics, revocations) : Future.succeededFuture();
    return auth.compose(authenticator -> {
      publishing = new PublishRule(log, config.maxPayloadBytes(), config.maxBinaryBytes(), metrics);
      TransportContext context = new TransportContext(vertx, config, log, hub, writePath(), metrics, publishing,
        limits, presence, authenticator, revocations);
      transports = TRANSPORTS.stream()
        .map(factory -> factory.apply(context))
        .filter(t -> config.transports().contains(t.transport()))
        .toList();
      transports.forEach(TransportHandler::start);
      log.hubs().join(vertx.eventBus(), hub, event -> hub.dispatch(event, metrics.liveLatency()));
      if (presence != null) {
        vertx.eventBus().<PresenceChange>localConsumer(presence.address(), msg -> hub.dispatchPresence(msg.body()));
      }
      guard = new ConnectionGuard(vertx, config, limits, metrics);
      RequestHeadLimits headLimits = new RequestHeadLimits(config, metrics);
      HttpServerOptions options = serverOptions(headLimits);
      server = vertx.createHttpServer(options)
        .connectionHandler(connection -> {
          RawConnection.of(connection).decodeStrictly(options);
          guard.onConnection(connection);
        })
        .invalidRequestHandler(headLimits)
        .requestHandler(router(authenticator));
      return server.listen();
    });
  }

  /** The {@code writePath} chosen: the raw channel, or Vert.x's public API. */
  private WritePath writePath() {
    return config.writePath().equals(GatewayConfig.WRITE_PATH_VERTX)
      ? new VertxWritePath(config.maxQueueBytes(), config.maxFrameBytes())
      : new NettyWritePath(config, new FlushQueue(hub::behind));
  }

  /** How often idle clients' limits and meters are forgotten. */
  public static final long SWEEP_MILLIS = 10_000;

  /** Forgets what idle clients left behind in {@code limits} and {@code meters}, and revocations whose time is over. */
  public static void sweep(Limits limits, WireMeters meters, Revocations revocations) {
    limits.sweep();
    meters.sweep();
    revocations.sweep(System.currentTimeMillis() / 1000);
  }

  /**
   * Set by the gateway before deployment, with {@link #meters}, so every server counts against the
   * same limits; the gateway then sweeps them.
   */
  public void limits(Limits limits) {
    this.limits = limits;
  }

  /** Set by the gateway before deployment, with {@link #limits}: the one list of revoked tokens. */
  public void revocations(Revocations revocations) {
    this.revocations = revocations;
  }

  /** Set by the gateway before deployment, so a client's meter counts on every server. */
  public void meters(WireMeters meters) {
    this.meters = meters;
  }

  /** Set by the gateway before deployment when presence is on: the one presence of every server. */
  public void presence(Presence presence) {
    this.presence = presence;
  }

  /** The port actually bound (when configured as 0). */
  public int actualPort() {
    return server.actualPort();
  }

  /** Graceful stop: every transport tells its clients to go, then the server closes. */
  @Override
  public Future<?> stop() {
    log.hubs().leave(hub);
    return Future.all(transports.stream().map(TransportHandler::drain).toList())
      .compose(v -> server.close());
  }

  private HttpServerOptions serverOptions(RequestHeadLimits headLimits) {
    HttpServerOptions options = new HttpServerOptions();
    if (config.tls()) {
      // https:// and wss:// on the same port; the files are read once, when the server starts.
      options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
        .setKeyPath(config.tlsKeyPath()).setCertPath(config.tlsCertPath()));
    }
    return options
      .setHost(config.host())
      // A negative port makes every instance share one random port; 0 would give each its own.
      .setPort(config.port() == 0 ? -1 : config.port())
      .setTcpNoDelay(true)
      // Every subscription the protocol allows must fit in a request line (see RequestHeadSizes).
      .setMaxInitialLineLength(headLimits.maxLine())
      .setMaxHeaderSize(headLimits.maxHeaders())
      // Request bodies are never inflated: a few kilobytes of gzip can unpack to gigabytes. A
      // publish that declares a Content-Encoding is refused (see TopicApi).
      .setDecompressionSupported(false)
      // No Vert.x idle timeout: the request-head and idle clocks are the ConnectionGuard's, since
      // Vert.x's idle handler sits where push writes never pass and would cut SSE streams.
      .setIdleTimeout(0)
      // HTTP/1.1 only: push connections write to their channel directly (see ChannelOutput), and
      // browsers never speak cleartext HTTP/2 anyway.
      .setHttp2ClearTextEnabled(false)
      // Every response is written on its connection's event loop, so a connection needs no queue
      // for writes from other threads: without it an SSE stream or a held poll holds 4.7 KB less.
      .setStrictThreadMode(true)
      // What Vert.x's own WebSocket (writePath=vertx) accepts; the raw path's codec has the same bound.
      // what Vert.x reads of one frame: an announced binary publish may be that big; text and
      // unannounced messages are held to maxFrameBytes as they are put together (VertxWebSocket)
      .setMaxWebSocketFrameSize(Math.max(config.maxFrameBytes(), config.maxBinaryBytes()))
      .setMaxWebSocketMessageSize(Math.max(config.maxFrameBytes(), config.maxBinaryBytes()))
      // and how long its close frame waits for the client's, as the raw path's peer waits
      .setWebSocketClosingTimeout(PushWebSocket.CLOSE_TIMEOUT_SECONDS)
      // WebSocket handshakes, permessage-deflate included, are the WebSocket transport's own.
      .setPerMessageWebSocketCompressionSupported(false)
      .setPerFrameWebSocketCompressionSupported(false);
  }

  private Router router(Authenticator authenticator) {
    Router router = Router.router(vertx);
    router.route().handler(this::canonicalRequest);
    router.route().handler(new OriginPolicy(config.allowedOrigins(), metrics));
    router.route().handler(guard);
    MeterApi meterApi = new MeterApi(meters, metrics);
    router.route().handler(meterApi);
    List<Endpoint> endpoints = new ArrayList<>();
    transports.forEach(t -> endpoints.addAll(t.routes()));
    endpoints.addAll(new TopicApi(config, log, publishing, counts, metrics, limits, presence).routes());
    if (authenticator != null) {
      endpoints.addAll(new AdminApi(config, log, revocations, limits, metrics).routes());
    }
    endpoints.add(meterApi.route());
    endpoints.add(Endpoint.get("/health", Grant.NONE,
      ctx -> HttpReplies.json(ctx.response(), 200, new JsonObject().put("status", "UP"))));
    endpoints.add(Endpoint.get("/ready", Grant.NONE, this::readiness));
    if (config.metricsPort() == 0) {
      endpoints.add(Endpoint.get("/metrics", Grant.NONE,
        ctx -> MetricsServerVerticle.scrape(vertx, metrics, ctx.request())));
    }
    endpoints.forEach(e -> mount(router, e, authenticator));
    router.get("/*").handler(staticFiles());
    router.route().last().handler(ctx -> fail(ctx, new GatewayException(ErrorCode.NOT_FOUND,
      "no such endpoint: " + ctx.request().method() + " " + ctx.request().path())));
    router.errorHandler(413, ctx -> fail(ctx, new GatewayException(ErrorCode.PAYLOAD_TOO_LARGE,
      "the body is larger than " + ctx.get(PublishBodies.LIMIT) + " bytes")));
    router.errorHandler(404, ctx -> fail(ctx, new GatewayException(ErrorCode.NOT_FOUND, "not found")));
    router.errorHandler(400, ctx -> fail(ctx, new GatewayException(ErrorCode.INVALID_PARAMETER, "bad request")));
    router.errorHandler(500, ctx -> HttpReplies.failure(ctx.request(), ctx.failure(), metrics));
    router.errorHandler(417, this::unmetExpectation);
    // Vert.x Web's body handler fails a request with status 200 when its body could not be read:
    // the client went away, or broke the body's chunked framing (the connection then closes)
    router.errorHandler(200, this::bodyNotRead);
    return router;
  }

  /**
   * Mounts one declared route, the auth check of its grant in front, on the route itself: the
   * request it serves is the request that was checked, however its path was spelt.
   */
  private static void mount(Router router, Endpoint endpoint, Authenticator authenticator) {
    Route route = router.route(endpoint.method(), endpoint.path());
    if (authenticator != null && endpoint.grant() != Grant.NONE) {
      route.handler(authenticator.check(endpoint.grant()));
    }
    endpoint.handlers().forEach(route::handler);
  }

  /**
   * Only the canonical spelling of a path is served ({@link CanonicalPath}), and only a query
   * that decodes: a bad escape such as {@code topics=%ZZ} is the client's error, not a 500.
   */
  private void canonicalRequest(RoutingContext ctx) {
    String problem = CanonicalPath.problem(ctx.request().path());
    if (problem == null) {
      try {
        String repeated = repeatedParameter(ctx.request().params());
        if (repeated != null) {
          problem = "the parameter " + repeated + " is given more than once";
        }
      } catch (IllegalArgumentException e) {
        problem = "the query is not valid percent-encoding (RFC 3986 §2.1)";
      }
    }
    if (problem != null) {
      fail(ctx, new GatewayException(ErrorCode.INVALID_PARAMETER, problem));
      return;
    }
    ctx.next();
  }

  /** 200 or 503; a cluster node also says how many members it sees and whether its backups are in sync. */
  private void readiness(RoutingContext ctx) {
    boolean isReady = ready.getAsBoolean();
    JsonObject body = new JsonObject().put("status", isReady ? "READY" : "NOT_READY");
    if (config.cluster()) {
      body.put("cluster", new JsonObject().put("members", log.clusterMembers()).put("backupsInSync", log.backupsInSync()));
    }
    HttpReplies.json(ctx.response(), isReady ? 200 : 503, body);
  }

  /** The bundled page and client, or a directory that overrides them while developing. */
  private StaticHandler staticFiles() {
    if (config.webRoot().isEmpty()) {
      return StaticHandler.create("webroot");
    }
    return StaticHandler.create(FileSystemAccess.ROOT, config.webRoot()).setCachingEnabled(false);
  }

  /**
   * A name given twice in the query (names compare as Vert.x looks them up, ignoring case), or
   * null. Every reader takes a parameter's first value; a proxy or firewall in front may take
   * another, so a repeated parameter is refused rather than read one way here and another there.
   */
  private static String repeatedParameter(MultiMap params) {
    if (params.isEmpty()) {
      return null;
    }
    // through a set: a query within the line limit can hold thousands of names
    Set<String> seen = new HashSet<>();
    for (Map.Entry<String, String> entry : params.entries()) { // size() counts names, not entries
      if (!seen.add(caseFolded(entry.getKey()))) {
        return entry.getKey();
      }
    }
    return null;
  }

  /** {@code name} folded character by character as {@link String#equalsIgnoreCase} compares it. */
  private static String caseFolded(String name) {
    char[] chars = name.toCharArray();
    for (int i = 0; i < chars.length; i++) {
      chars[i] = Character.toLowerCase(Character.toUpperCase(chars[i]));
    }
    return new String(chars);
  }

  /** {@code Expect} other than {@code 100-continue} (RFC 9110 §10.1.1): 417, in the protocol's error format. */
  private void unmetExpectation(RoutingContext ctx) {
    GatewayException error = new GatewayException(ErrorCode.INVALID_PARAMETER,
      "the only expectation this server meets is Expect: 100-continue");
    metrics.rejected(error.code());
    HttpReplies.json(ctx.response(), 417, HttpReplies.errorBody(error));
  }

  /**
   * A body that could not be read is the client's doing, not the gateway's: answered if the
   * connection still stands, never logged as an error (a client could fill the log with them).
   */
  private void bodyNotRead(RoutingContext ctx) {
    if (ctx.response().closed()) {
      metrics.rejected(ErrorCode.INVALID_PARAMETER);
      return;
    }
    ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
    fail(ctx, new GatewayException(ErrorCode.INVALID_PARAMETER, "the request body could not be read"));
  }

  private void fail(RoutingContext ctx, GatewayException error) {
    HttpReplies.error(ctx.response(), error, metrics);
  }
}
