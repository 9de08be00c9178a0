package io.pushgateway.gateway.config;

import io.pushgateway.gateway.core.HistoryLimits;
import io.pushgateway.gateway.core.TopicPattern;
import io.pushgateway.gateway.core.Transport;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Every option of the gateway, with its default in exactly one place ({@link #OPTIONS}).
 *
 * <p>Sources, weakest first: the defaults, a JSON file ({@code --config}), environment
 * variables ({@code PUSH_GATEWAY_HISTORY_SIZE} for {@code historySize}), command-line flags.
 * An unknown key or a value out of range stops start-up with a message naming the key.
 */
public final class GatewayConfig {

  public static final String ENV_PREFIX = "PUSH_GATEWAY_";
  /** {@code writePath}: WebSocket frames and SSE events written straight to the Netty channel. */
  public static final String WRITE_PATH_NETTY = "netty";
  /** {@code writePath}: the same output through Vert.x's public API only. */
  public static final String WRITE_PATH_VERTX = "vertx";

  /** The documented options: key, default, what it means. The README table is checked against it. */
  public static final List<Option> OPTIONS = List.of(
    new Option("host", "0.0.0.0", "interface the HTTP server binds to"),
    new Option("port", 8080, "HTTP port (0 picks a free one)"),
    new Option("metricsPort", 0, "serve GET /metrics on this port only (0: on the main port)"),
    new Option("instances", 0, "HTTP server verticles, each on its own event loop (0: one per core)"),
    new Option("transports", "ws,sse,long,short", "transports served; a disabled one answers 404"),
    new Option("allowedOrigins", "", "extra origins allowed besides the gateway's own, comma-separated, or *"),
    new Option("historySize", 1000, "events kept per topic"),
    new Option("historyMaxAgeSeconds", 0, "drop kept events older than this (0: keep by count only)"),
    new Option("historyRules", "", "topics that keep their own history: PATTERN=EVENTS or PATTERN=EVENTS/AGE_SECONDS, comma-separated, * standing for any run of characters (e.g. chat.*=100/86400,prices.*=1); a topic takes the first rule it matches, others historySize and historyMaxAgeSeconds"),
    new Option("maxTopics", 100000, "topics kept at most; a publish that would start one more gets 503 too_many_topics"),
    new Option("topicIdleSeconds", 3600, "evict a topic, with its history, once nobody has published to, read or subscribed to it for this long (0: never)"),
    new Option("historyMaxBytes", 67108864, "bytes of events kept per topic (the heap their JSON form takes; binary data counts as base64, an event of half a G1 region or more its whole regions), the newest event always"),
    new Option("historyMaxTotalBytes", 0, "bytes of events kept over all topics, the least recently used topics' oldest first (0: a quarter of the JVM's maximum heap); in cluster mode over the whole cluster, the least recently published first, checked every 6 s"),
    new Option("publishKeySeconds", 120, "remember a publish's idempotency key this long after its event was accepted, even once history no longer keeps the event (0: only while it does); counted against the history byte bounds, which forget such keys before any event"),
    new Option("maxPayloadBytes", 65536, "largest event data accepted, as UTF-8 JSON"),
    new Option("maxBinaryBytes", 10485760, "largest binary event accepted (POST with a media type), in bytes"),
    new Option("maxBatchEvents", 1000, "events one batch publish (POST /api/events, a publish op with events) may carry"),
    new Option("maxBatchBytes", 1048576, "largest body of POST /api/events"),
    new Option("maxReceivingBytes", 67108864, "bytes of publishes being received at once over every connection (HTTP bodies by their Content-Length, announced WebSocket binary messages); past it a publish is refused with overloaded before its body is read"),
    new Option("maxFrameBytes", 131072, "largest WebSocket message accepted (bigger closes with 1009)"),
    new Option("maxTopicsPerSubscription", 64, "topics one subscription may name"),
    new Option("pollLimit", 500, "events in one poll answer when the request names no limit"),
    new Option("maxPollLimit", 10000, "largest limit a poll may ask for"),
    new Option("longPollTimeoutSeconds", 25, "long-poll wait when the request names no timeout"),
    new Option("maxLongPollTimeoutSeconds", 60, "longest long-poll wait a request may ask for"),
    new Option("pingIntervalSeconds", 25, "WebSocket ping interval; a peer silent for two intervals is closed"),
    new Option("sseKeepAliveSeconds", 15, "interval of SSE comment lines that keep proxies from closing the stream"),
    new Option("requestHeadTimeoutSeconds", 10, "a request head (line and headers) not complete this long after the connection opens, or after the first byte of a later request, closes the connection"),
    new Option("requestBodyTimeoutSeconds", 20, "a request body not complete this long after its head, plus a second per 500 bytes received, closes the connection"),
    new Option("idleTimeoutSeconds", 90, "an HTTP connection with no byte either way for this long is closed; above maxLongPollTimeoutSeconds and sseKeepAliveSeconds (WebSockets: pings)"),
    new Option("maxQueueBytes", 1048576, "bytes queued for one slow connection before it is closed (1013)"),
    new Option("compression", false, "accept WebSocket permessage-deflate: each event is compressed once, the same bytes go to every connection that accepted it"),
    new Option("writePath", WRITE_PATH_NETTY, "netty: WebSocket and SSE output straight to the channel (the fast path); vertx: Vert.x's public API only (the fallback: more CPU per delivery, no compression)"),
    new Option("maxConnections", 0, "open TCP connections in total; more get 503 overloaded and are closed (0: unlimited)"),
    new Option("maxConnectionsPerIp", 0, "open TCP connections from one client address; more get 503 overloaded and are closed (0: unlimited)"),
    new Option("maxConnectionsPerUser", 0, "with auth on, WebSockets and SSE streams one token sub may hold at once on this node; more get 503 overloaded, a WebSocket before its upgrade (0: unlimited)"),
    new Option("maxMeters", 1000, "wire meters (meter= on requests, GET /api/meters/KEY) kept at most; one is forgotten after 5 minutes without a connection (0: none)"),
    new Option("publishRatePerConnection", 0, "publishes per second on one connection, bursts of one second's worth; more get rate_limited (0: unlimited)"),
    new Option("publishRatePerIp", 0, "publishes per second from one client address over all its connections (0: unlimited)"),
    new Option("commandRatePerConnection", 100, "WebSocket commands other than publish (subscribe, unsubscribe, presence, auth, ping, a WebSocket ping frame) per second per connection, a burst of one second's worth; more get an error frame rate_limited (a ping frame no pong), and rateLimitStrikes of those close with 1008 (0: unlimited)"),
    new Option("ipv6PrefixLength", 64, "the leading bits of an IPv6 client's address that make one client address for the per-address limits: a host is usually given a whole /64 (128: each address alone)"),
    new Option("rateLimitStrikes", 20, "rate-limited WebSocket publishes and commands within 10 s after which the connection is closed (1008)"),
    new Option("presence", true, "serve presence: subscribers that ask (presence=1) are listed per topic and told who joins and leaves"),
    new Option("presenceNames", false, "without auth, let a subscriber name itself in presence (name=; on with demo); with auth the name is the token's sub"),
    new Option("maxPresenceMembers", 100, "members listed, and joins and leaves told one by one, per topic; bigger rooms get counts only, once a second"),
    new Option("maxPresenceChangesPerSecond", 20, "joins and leaves a room tells one by one per second; past it, the rest of the second's are told as their outcome at the end of it (churn cannot flood a room)"),
    new Option("maxPresenceOccupants", 200000, "presence entries (a connection in a topic) held at most over every topic; more are refused with overloaded"),
    new Option("maxPresencePollersPerIp", 100, "presence leases pollers from one client address may hold (a lease is a poller in a topic); more get rate_limited"),
    new Option("maxPresenceInfoBytes", 512, "largest info claim a token may show in presence, as JSON"),
    new Option("presenceGraceSeconds", 5, "how long past its poll interval (or long-poll timeout) a poller stays present"),
    new Option("auth", false, "require a bearer JWT (header or ?token=) on the transports and /api; its topics claim lists sub and pub patterns"),
    new Option("jwtHmacSecret", "", "HS256 key of the tokens, at least 32 characters (empty: no HS256)"),
    new Option("jwtPublicKeyPath", "", "PEM file of the RS256 public key of the tokens (empty: no RS256)"),
    new Option("publicTopics", "", "with auth on, topics anyone may subscribe to without a token, as patterns, comma-separated, * standing for any run of characters (e.g. prices.*,scores.*): a public feed beside private topics; publishing still needs a token's topics.pub"),
    new Option("maxRevocations", 100_000, "with auth on, revocations kept at once (POST /api/revocations); more get 503 overloaded until some expire"),
    new Option("revocationSeconds", 86_400, "how long a revocation that names no until is kept: longer than the tokens you issue live"),
    new Option("tlsKeyPath", "", "PEM private key file: with tlsCertPath, serve https:// and wss:// only (empty: plain)"),
    new Option("tlsCertPath", "", "PEM certificate chain file that goes with tlsKeyPath"),
    new Option("drainDelaySeconds", 0, "on stop, seconds /ready answers 503 before connections are closed"),
    new Option("shutdownTimeoutSeconds", 10, "longest graceful stop before the process exits anyway"),
    new Option("warmUpSeconds", 0, "before listening, serve a publisher and subscribers on every enabled transport for this long on a private loopback copy of the gateway, in five rounds each followed by a pause of up to 3 s for the JIT, so the first clients meet compiled code (0: no warm-up)"),
    new Option("trimNativeMemorySeconds", 10, "how often the push-gateway process hands the C heap's free pages back to the system, where the JDK can (17.0.9 and later, glibc): the JIT and class loading leave 10–20 MB behind (0: never; an application that embeds the gateway owns its JVM and is left alone)"),
    new Option("webRoot", "", "directory served at / instead of the bundled page and client"),
    new Option("demo", false, "publish a demo ticker to topic demo.ticker"),
    new Option("demoRate", 2.0, "demo ticker events per second"),
    new Option("cluster", false, "run as a node of a Hazelcast cluster: shared history, events reach every node"),
    new Option("clusterHost", "", "address this node's cluster traffic binds to and announces: the member and event bus ports listen on it alone (empty: picked by Hazelcast, and the member port listens on every interface)"),
    new Option("clusterPort", 5701, "Hazelcast member port of this node"),
    new Option("clusterMembers", "", "host:port of the members to join, comma-separated (TCP/IP; never multicast)"),
    new Option("clusterEventBusPort", 0, "port of the clustered event bus (0: a free one)"),
    new Option("clusterBackupCount", 1, "copies of each topic's history on other nodes (nodes that may die at once)"),
    new Option("clusterAsyncBackups", false, "answer a publish before its backup copies are written: faster, but a node that dies may lose what it just acknowledged"));

  /** Options never written to a log. */
  private static final Set<String> SECRETS = Set.of("jwtHmacSecret");

  /** Rules of {@code historyRules}, patterns of {@code publicTopics} at most: topics are matched against them. */
  public static final int MAX_TOPIC_PATTERNS = 100;

  private final JsonObject values;
  /** Made once the values are checked: the long-poll shortcut asks it on every poll. */
  private HistoryLimits historyLimits;

  private GatewayConfig(JsonObject values) {
    this.values = values;
  }

  public static GatewayConfig defaults() {
    return fromJson(new JsonObject());
  }

  /** Defaults overlaid with {@code json}; throws {@link ConfigException} naming the bad key. */
  public static GatewayConfig fromJson(JsonObject json) {
    JsonObject merged = new JsonObject();
    OPTIONS.forEach(o -> merged.put(o.key(), o.defaultValue()));
    for (String key : json.fieldNames()) {
      Option option = option(key);
      merged.put(key, option.coerce(json.getValue(key)));
    }
    GatewayConfig config = new GatewayConfig(merged);
    config.validate();
    return config;
  }

  /**
   * The values set by environment variables named {@code PUSH_GATEWAY_<KEY_IN_SNAKE_CASE>}; throws
   * {@link ConfigException} for a variable of that prefix that names no option, as for an unknown
   * key anywhere else: a misspelt variable would otherwise leave its option at the default unseen.
   */
  public static JsonObject fromEnvironment(Map<String, String> env) {
    JsonObject json = new JsonObject();
    // sorted, so that of several unknown variables the same one is named every time
    for (String name : new TreeSet<>(env.keySet())) {
      if (name.startsWith(ENV_PREFIX)) {
        Option option = OPTIONS.stream().filter(o -> name.equals(ENV_PREFIX + o.envSuffix())).findFirst()
          .orElseThrow(() -> new ConfigException(name, "no option has this variable; an option's is "
            + ENV_PREFIX + " and its key in upper snake case (historySize: " + ENV_PREFIX + "HISTORY_SIZE)"));
        json.put(option.key(), env.get(name));
      }
    }
    return json;
  }

  public JsonObject toJson() {
    return values.copy();
  }

  public GatewayConfig with(String key, Object value) {
    return fromJson(values.copy().put(key, value));
  }

  public String host() { return values.getString("host"); }
  public int port() { return values.getInteger("port"); }
  public int metricsPort() { return values.getInteger("metricsPort"); }
  public int instances() {
    int n = values.getInteger("instances");
    return n > 0 ? n : Runtime.getRuntime().availableProcessors();
  }
  public Set<Transport> transports() {
    Set<Transport> set = EnumSet.noneOf(Transport.class);
    for (String name : split(values.getString("transports"))) {
      set.add(Transport.byName(name));
    }
    return Collections.unmodifiableSet(set);
  }
  public List<String> allowedOrigins() { return split(values.getString("allowedOrigins")); }
  public int historySize() { return values.getInteger("historySize"); }
  public long historyMaxAgeMillis() { return values.getLong("historyMaxAgeSeconds") * 1000; }
  public int maxTopics() { return values.getInteger("maxTopics"); }
  public long topicIdleMillis() { return values.getLong("topicIdleSeconds") * 1000; }
  public int maxPayloadBytes() { return values.getInteger("maxPayloadBytes"); }
  public int maxBinaryBytes() { return values.getInteger("maxBinaryBytes"); }
  /** What the log keeps of each topic, and of all of them. */
  public HistoryLimits historyLimits() {
    return historyLimits;
  }

  private HistoryLimits limitsOfHistory() {
    long total = values.getLong("historyMaxTotalBytes");
    return new HistoryLimits(historySize(), historyMaxAgeMillis(), values.getLong("historyMaxBytes"),
      total > 0 ? total : Runtime.getRuntime().maxMemory() / 4, values.getLong("publishKeySeconds") * 1000,
      historyRules(values.getString("historyRules")));
  }

  /** {@code chat.*=100/86400,prices.*=1}: each rule's pattern, events and age; throws naming {@code historyRules}. */
  static List<HistoryLimits.Rule> historyRules(String text) {
    List<HistoryLimits.Rule> rules = new ArrayList<>();
    Set<String> patterns = new HashSet<>();
    for (String entry : split(text)) {
      int equals = entry.indexOf('=');
      String pattern = equals < 0 ? entry : entry.substring(0, equals).trim();
      if (equals < 0 || !TopicPattern.isValid(pattern)) {
        throw new ConfigException("historyRules", "each rule is PATTERN=EVENTS or PATTERN=EVENTS/AGE_SECONDS, the "
          + "pattern a topic name in which * stands for any run of characters; got " + entry);
      }
      if (!patterns.add(pattern)) {
        throw new ConfigException("historyRules", "names " + pattern + " twice");
      }
      String[] bounds = entry.substring(equals + 1).split("/", -1);
      if (bounds.length > 2) {
        throw new ConfigException("historyRules", "a rule has one / at most, got " + entry);
      }
      int events = (int) ruleNumber(entry, bounds[0], 1, 10_000_000);
      long ageSeconds = bounds.length == 2 ? ruleNumber(entry, bounds[1], 0, Integer.MAX_VALUE) : 0;
      rules.add(new HistoryLimits.Rule(pattern, events, ageSeconds * 1000));
    }
    if (rules.size() > MAX_TOPIC_PATTERNS) {
      throw new ConfigException("historyRules", "at most " + MAX_TOPIC_PATTERNS + " rules, got " + rules.size());
    }
    return rules;
  }

  private static long ruleNumber(String entry, String text, long min, long max) {
    try {
      long value = Long.parseLong(text.trim());
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException e) {
      // told below
    }
    throw new ConfigException("historyRules", "in " + entry + ": events from 1 to 10000000, an age in seconds from 0 "
      + "to " + Integer.MAX_VALUE + ", got " + text.trim());
  }
  public int maxBatchEvents() { return values.getInteger("maxBatchEvents"); }
  public int maxMeters() { return values.getInteger("maxMeters"); }
  public int maxBatchBytes() { return values.getInteger("maxBatchBytes"); }
  public long maxReceivingBytes() { return values.getLong("maxReceivingBytes"); }
  public int maxFrameBytes() { return values.getInteger("maxFrameBytes"); }
  public int maxTopicsPerSubscription() { return values.getInteger("maxTopicsPerSubscription"); }
  public int pollLimit() { return values.getInteger("pollLimit"); }
  public int maxPollLimit() { return values.getInteger("maxPollLimit"); }
  public int longPollTimeoutSeconds() { return values.getInteger("longPollTimeoutSeconds"); }
  public int maxLongPollTimeoutSeconds() { return values.getInteger("maxLongPollTimeoutSeconds"); }
  public long pingIntervalMillis() { return values.getLong("pingIntervalSeconds") * 1000; }
  public long sseKeepAliveMillis() { return values.getLong("sseKeepAliveSeconds") * 1000; }
  public long requestHeadTimeoutMillis() { return values.getLong("requestHeadTimeoutSeconds") * 1000; }
  public long requestBodyTimeoutMillis() { return values.getLong("requestBodyTimeoutSeconds") * 1000; }
  public long idleTimeoutMillis() { return values.getLong("idleTimeoutSeconds") * 1000; }
  public int maxQueueBytes() { return values.getInteger("maxQueueBytes"); }
  public int maxConnections() { return values.getInteger("maxConnections"); }
  public int maxConnectionsPerIp() { return values.getInteger("maxConnectionsPerIp"); }
  public int maxConnectionsPerUser() { return values.getInteger("maxConnectionsPerUser"); }
  public int maxRevocations() { return values.getInteger("maxRevocations"); }
  public int revocationSeconds() { return values.getInteger("revocationSeconds"); }
  public int publishRatePerConnection() { return values.getInteger("publishRatePerConnection"); }
  public int publishRatePerIp() { return values.getInteger("publishRatePerIp"); }
  public int commandRatePerConnection() { return values.getInteger("commandRatePerConnection"); }
  public int ipv6PrefixLength() { return values.getInteger("ipv6PrefixLength"); }
  public int rateLimitStrikes() { return values.getInteger("rateLimitStrikes"); }
  public boolean presence() { return values.getBoolean("presence"); }
  /** The demo's chat names its visitors, so the demo allows names. */
  public boolean presenceNames() { return values.getBoolean("presenceNames") || demo(); }
  public int maxPresenceMembers() { return values.getInteger("maxPresenceMembers"); }
  public int maxPresenceChangesPerSecond() { return values.getInteger("maxPresenceChangesPerSecond"); }
  public int maxPresenceOccupants() { return values.getInteger("maxPresenceOccupants"); }
  public int maxPresencePollersPerIp() { return values.getInteger("maxPresencePollersPerIp"); }
  public int maxPresenceInfoBytes() { return values.getInteger("maxPresenceInfoBytes"); }
  public long presenceGraceMillis() { return values.getLong("presenceGraceSeconds") * 1000; }
  public boolean auth() { return values.getBoolean("auth"); }
  public String jwtHmacSecret() { return values.getString("jwtHmacSecret"); }
  /** The {@code publicTopics} patterns: subscribed to without a token when auth is on. */
  public List<String> publicTopics() { return split(values.getString("publicTopics")); }
  public String jwtPublicKeyPath() { return values.getString("jwtPublicKeyPath").trim(); }
  public String tlsKeyPath() { return values.getString("tlsKeyPath").trim(); }
  public String tlsCertPath() { return values.getString("tlsCertPath").trim(); }
  public boolean tls() { return !tlsKeyPath().isEmpty(); }
  public int drainDelaySeconds() { return values.getInteger("drainDelaySeconds"); }
  public int shutdownTimeoutSeconds() { return values.getInteger("shutdownTimeoutSeconds"); }
  public int warmUpSeconds() { return values.getInteger("warmUpSeconds"); }
  public int trimNativeMemorySeconds() { return values.getInteger("trimNativeMemorySeconds"); }
  public String webRoot() { return values.getString("webRoot"); }
  public boolean compression() { return values.getBoolean("compression"); }
  public String writePath() { return values.getString("writePath").trim(); }
  public boolean demo() { return values.getBoolean("demo"); }
  public double demoRate() { return values.getDouble("demoRate"); }
  public boolean cluster() { return values.getBoolean("cluster"); }
  public String clusterHost() { return values.getString("clusterHost").trim(); }
  public int clusterPort() { return values.getInteger("clusterPort"); }
  public List<String> clusterMembers() { return split(values.getString("clusterMembers")); }
  public int clusterEventBusPort() { return values.getInteger("clusterEventBusPort"); }
  public int clusterBackupCount() { return values.getInteger("clusterBackupCount"); }
  public boolean clusterAsyncBackups() { return values.getBoolean("clusterAsyncBackups"); }

  private void validate() {
    historyLimits = limitsOfHistory();
    range("port", 0, 65535);
    range("metricsPort", 0, 65535);
    range("instances", 0, 1024);
    range("historySize", 1, 10_000_000);
    range("historyMaxAgeSeconds", 0, Integer.MAX_VALUE);
    range("maxTopics", 1, 100_000_000);
    range("topicIdleSeconds", 0, Integer.MAX_VALUE);
    range("maxPayloadBytes", 1, 64 * 1024 * 1024);
    range("maxBinaryBytes", 1, 256 * 1024 * 1024);
    range("historyMaxBytes", 1024, Long.MAX_VALUE);
    range("historyMaxTotalBytes", 0, Long.MAX_VALUE);
    range("publishKeySeconds", 0, 7 * 24 * 3600);
    range("maxFrameBytes", 1024, 128 * 1024 * 1024);
    range("maxBatchEvents", 1, 100_000);
    range("maxMeters", 0, 1_000_000);
    range("maxBatchBytes", 1024, 256 * 1024 * 1024);
    // A cursor naming them all must parse (Cursor caps its length at 64 KiB: 307 full entries).
    range("maxTopicsPerSubscription", 1, 256);
    range("pollLimit", 1, maxPollLimit());
    range("maxPollLimit", 1, 1_000_000);
    range("maxLongPollTimeoutSeconds", 1, 3600);
    range("longPollTimeoutSeconds", 1, maxLongPollTimeoutSeconds());
    range("pingIntervalSeconds", 1, 3600);
    range("sseKeepAliveSeconds", 1, 3600);
    range("requestHeadTimeoutSeconds", 1, 3600);
    range("requestBodyTimeoutSeconds", 1, 3600);
    range("idleTimeoutSeconds", 1, 86_400);
    // Long polls wait and SSE streams sit between keep-alives without a byte either way: neither
    // may look idle.
    if (values.getLong("idleTimeoutSeconds") <= values.getLong("maxLongPollTimeoutSeconds")) {
      throw new ConfigException("idleTimeoutSeconds", "must be above maxLongPollTimeoutSeconds ("
        + values.getLong("maxLongPollTimeoutSeconds") + "), got " + values.getLong("idleTimeoutSeconds"));
    }
    if (values.getLong("sseKeepAliveSeconds") >= values.getLong("idleTimeoutSeconds")) {
      throw new ConfigException("sseKeepAliveSeconds", "must be below idleTimeoutSeconds ("
        + values.getLong("idleTimeoutSeconds") + "), got " + values.getLong("sseKeepAliveSeconds"));
    }
    range("maxReceivingBytes", 1, Long.MAX_VALUE);
    long largestBody = Math.max(Math.max(maxPayloadBytes(), maxBinaryBytes()), maxBatchBytes());
    if (maxReceivingBytes() < largestBody) {
      throw new ConfigException("maxReceivingBytes", "must be at least the largest body a publish may have ("
        + largestBody + ", from maxPayloadBytes, maxBinaryBytes and maxBatchBytes), got " + maxReceivingBytes());
    }
    range("maxQueueBytes", 1024, Integer.MAX_VALUE);
    range("maxConnections", 0, 10_000_000);
    range("maxConnectionsPerIp", 0, 10_000_000);
    range("maxConnectionsPerUser", 0, 10_000_000);
    range("maxRevocations", 1, 10_000_000);
    range("revocationSeconds", 1, 366 * 86_400);
    range("publishRatePerConnection", 0, 1_000_000_000);
    range("publishRatePerIp", 0, 1_000_000_000);
    range("ipv6PrefixLength", 32, 128);
    range("commandRatePerConnection", 0, 1_000_000_000);
    range("rateLimitStrikes", 1, 1_000_000);
    range("maxPresenceMembers", 0, 100_000);
    range("maxPresenceChangesPerSecond", 1, 1_000_000);
    range("maxPresenceOccupants", 1, 100_000_000);
    range("maxPresenceInfoBytes", 0, 65_536);
    range("maxPresencePollersPerIp", 1, 100_000_000);
    range("presenceGraceSeconds", 0, 3600);
    range("drainDelaySeconds", 0, 3600);
    range("shutdownTimeoutSeconds", 1, 3600);
    range("warmUpSeconds", 0, 300);
    range("trimNativeMemorySeconds", 0, 86_400);
    range("clusterPort", 1, 65535);
    range("clusterEventBusPort", 0, 65535);
    range("clusterBackupCount", 0, 6);
    if (values.getDouble("demoRate") <= 0 || values.getDouble("demoRate") > 10_000) {
      throw new ConfigException("demoRate", "must be above 0 and at most 10000, got " + values.getValue("demoRate"));
    }
    if (!jwtHmacSecret().isEmpty() && jwtHmacSecret().length() < 32) {
      throw new ConfigException("jwtHmacSecret", "must be at least 32 characters");
    }
    if (tlsKeyPath().isEmpty() != tlsCertPath().isEmpty()) {
      throw new ConfigException(tlsKeyPath().isEmpty() ? "tlsKeyPath" : "tlsCertPath",
        "TLS needs both tlsKeyPath and tlsCertPath");
    }
    if (auth() && jwtHmacSecret().isEmpty() && jwtPublicKeyPath().isEmpty()) {
      throw new ConfigException("auth", "needs jwtHmacSecret or jwtPublicKeyPath");
    }
    if (maxConnectionsPerUser() > 0 && !auth()) {
      throw new ConfigException("maxConnectionsPerUser", "takes effect with auth on only: users are tokens' subs");
    }
    List<String> publicTopics = publicTopics();
    if (!publicTopics.isEmpty() && !auth()) {
      throw new ConfigException("publicTopics", "takes effect with auth on only: without it every topic is public");
    }
    if (publicTopics.size() > MAX_TOPIC_PATTERNS) {
      throw new ConfigException("publicTopics", "at most " + MAX_TOPIC_PATTERNS + " patterns, got " + publicTopics.size());
    }
    for (String pattern : publicTopics) {
      if (!TopicPattern.isValid(pattern)) {
        throw new ConfigException("publicTopics", "a pattern is a topic name in which * stands for any run of "
          + "characters, got " + pattern);
      }
    }
    if (split(values.getString("transports")).isEmpty()) {
      throw new ConfigException("transports", "must name at least one of ws, sse, long, short");
    }
    if (!writePath().equals(WRITE_PATH_NETTY) && !writePath().equals(WRITE_PATH_VERTX)) {
      throw new ConfigException("writePath", "must be netty or vertx, got '" + writePath() + "'");
    }
    if (compression() && writePath().equals(WRITE_PATH_VERTX)) {
      // Vert.x's own permessage-deflate would compress every event once per connection, and its
      // inflater has no bound of ours on a message's inflated size.
      throw new ConfigException("compression", "needs writePath=netty (the vertx write path offers no compression)");
    }
    for (String name : split(values.getString("transports"))) {
      if (Transport.find(name).isEmpty()) {
        throw new ConfigException("transports", "unknown transport '" + name + "' (known: ws, sse, long, short)");
      }
    }
  }

  private void range(String key, long min, long max) {
    long value = values.getLong(key);
    if (value < min || value > max) {
      throw new ConfigException(key, "must be between " + min + " and " + max + ", got " + value);
    }
  }

  private static Option option(String key) {
    return OPTIONS.stream()
      .filter(o -> o.key().equals(key))
      .findFirst()
      .orElseThrow(() -> new ConfigException(key, "unknown option"));
  }

  private static List<String> split(String list) {
    List<String> parts = new ArrayList<>();
    for (String part : list.split(",")) {
      if (!part.isBlank()) {
        parts.add(part.trim());
      }
    }
    return parts;
  }

  /** The effective options as JSON, secrets replaced by {@code "(set)"}: safe to log. */
  @Override
  public String toString() {
    JsonObject shown = values.copy();
    for (String key : SECRETS) {
      if (!shown.getString(key, "").isEmpty()) {
        shown.put(key, "(set)");
      }
    }
    return shown.encode();
  }

  /** One option: its key, its default (whose type is the option's type) and what it means. */
  public record Option(String key, Object defaultValue, String description) {

    /** The key in upper snake case: {@code historySize} is {@code HISTORY_SIZE}, {@code ipv6PrefixLength} {@code IPV6_PREFIX_LENGTH}. */
    public String envSuffix() {
      return key.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
    }

    public String type() {
      return defaultValue instanceof Boolean ? "boolean" : defaultValue instanceof Number ? "number" : "string";
    }

    /** The value converted to this option's type; strings come from flags and the environment. */
    Object coerce(Object value) {
      try {
        if (defaultValue instanceof Boolean) {
          if (value instanceof Boolean) {
            return value;
          }
          String s = String.valueOf(value).trim().toLowerCase(Locale.ROOT);
          if (s.equals("true") || s.equals("false")) {
            return Boolean.valueOf(s);
          }
          throw new IllegalArgumentException();
        }
        if (defaultValue instanceof Number) {
          // A fractional default makes a fractional option; every other number is whole.
          boolean fractional = defaultValue instanceof Double;
          Function<String, Number> parse = fractional ? Double::valueOf : Long::valueOf;
          Number n = value instanceof Number number ? number : parse.apply(String.valueOf(value).trim());
          if (!fractional && n.doubleValue() != Math.rint(n.doubleValue())) {
            throw new IllegalArgumentException();
          }
          return fractional ? (Object) n.doubleValue() : (Object) n.longValue();
        }
        if (value instanceof JsonArray array) {
          return String.join(",", array.stream().map(String::valueOf).toList());
        }
        if (value instanceof String) {
          return value;
        }
        throw new IllegalArgumentException();
      } catch (IllegalArgumentException e) {
        throw new ConfigException(key, "expected a " + type() + ", got " + value);
      }
    }
  }
}
