package io.pushgateway.gateway.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.pushgateway.gateway.config.GatewayConfig;
import io.pushgateway.gateway.core.ErrorCode;
import io.pushgateway.gateway.core.EventLog;
import io.pushgateway.gateway.core.GatewayException;
import io.pushgateway.gateway.core.HistoryLimits;
import io.pushgateway.gateway.core.SubscriberCounts;
import io.pushgateway.gateway.core.TopicQuery;
import io.pushgateway.gateway.core.TopicState;
import io.pushgateway.gateway.core.Topics;
import io.pushgateway.gateway.metrics.GatewayMetrics;
import io.pushgateway.gateway.presence.Presence;
import io.pushgateway.gateway.security.Access;
import io.pushgateway.gateway.security.Grant;
import io.pushgateway.gateway.security.Limits;
import io.pushgateway.gateway.transport.Endpoint;
import io.pushgateway.gateway.http.HttpReplies;
import io.pushgateway.gateway.transport.PublishBatch;
import io.pushgateway.gateway.transport.PublishRule;
import io.pushgateway.gateway.transport.SubscriptionParams;
import io.pushgateway.gateway.core.Transport;
import io.pushgateway.gateway.wire.JsonText;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Publishing over HTTP and reading topics: {@code /api/topics…}. */
final class TopicApi {

  /** Where batches are published. */
  static final String BATCH_PATH = "/api/events";
  /** Topic names in one page of the listing, unless the request asks for fewer or more (up to the max). */
  /** The header that names a publish, so a retry of it is not stored twice (see PublishKeys). */
  static final String IDEMPOTENCY_KEY = "Idempotency-Key";
  static final int LISTING_LIMIT = 1_000;
  static final int MAX_LISTING_LIMIT = 10_000;

  private final GatewayConfig config;
  private final EventLog log;
  private final PublishRule publishing;
  private final SubscriberCounts counts;
  private final GatewayMetrics metrics;
  private final Limits limits;
  /** Null when presence is off. */
  private final Presence presence;

  TopicApi(GatewayConfig config, EventLog log, PublishRule publishing, SubscriberCounts counts, GatewayMetrics metrics,
           Limits limits, Presence presence) {
    this.config = config;
    this.limits = limits;
    this.presence = presence;
    this.log = log;
    this.publishing = publishing;
    this.counts = counts;
    this.metrics = metrics;
  }

  /**
   * The API's routes and their grants. Publishing is checked against {@code topics.pub} before
   * the body is read; a topic's state is a subscriber's right; the list needs any valid token and
   * shows only the topics it may subscribe to.
   */
  List<Endpoint> routes() {
    List<Endpoint> routes = new ArrayList<>(List.of(
      new Endpoint(HttpMethod.POST, "/api/topics/:topic/events", Grant.PUBLISH_TOPIC,
        List.of(new PublishBodies(limits, metrics, TopicApi::isJson, config.maxPayloadBytes(), config.maxBinaryBytes()),
          this::publish)),
      // any valid token: each event is checked against topics.pub on its own
      new Endpoint(HttpMethod.POST, BATCH_PATH, Grant.AUTHENTICATED,
        List.of(new PublishBodies(limits, metrics, config.maxBatchBytes()), this::publishBatch)),
      Endpoint.get("/api/topics/:topic", Grant.SUBSCRIBE_TOPIC, this::topic),
      Endpoint.get("/api/topics", Grant.LIST_TOPICS, this::topics)));
    if (presence != null) {
      routes.add(Endpoint.get("/api/topics/:topic/presence", Grant.SUBSCRIBE_TOPIC, this::presence));
    }
    return routes;
  }

  /** {@code {"topic","members":[…],"counts":{…},"truncated"}}: who is there, over the cluster. */
  private void presence(RoutingContext ctx) {
    Future.succeededFuture(ctx)
      .map(c -> Topics.require(c.pathParam("topic")))
      .onSuccess(topic -> HttpReplies.json(ctx.response(), 200,
        Buffer.buffer(presence.snapshot(topic).prefixedWith(new JsonObject().put("topic", topic)))))
      .onFailure(e -> fail(ctx, e));
  }

  /**
   * {@code 201 {"topic","id","ts"}}: the event is in history and will be delivered; with an
   * {@code Idempotency-Key} header already kept for the topic, the event stored the first time,
   * with {@code "duplicate":true}, and nothing is stored. The body
   * (read within {@code maxPayloadBytes}) becomes the data: JSON with {@code application/json},
   * else bytes of the body's media type (a binary event); the rest is the one publish rule.
   */
  private void publish(RoutingContext ctx) {
    Future.succeededFuture(ctx)
      .map(c -> Topics.require(c.pathParam("topic"))) // a bad topic is named before a bad body
      .compose(topic -> isJson(ctx)
        ? publishing.publish(Access.of(ctx), topic, dataJson(ctx), idempotencyKey(ctx))
        : publishing.publishBinary(Access.of(ctx), topic, binaryBody(ctx), ctx.request().getHeader("Content-Type"),
          idempotencyKey(ctx)))
      .onSuccess(stored -> HttpReplies.json(ctx.response(), 201, PublishRule.answer(stored)))
      .onFailure(e -> fail(ctx, e));
  }

  /**
   * {@code {"events":[{"topic","data"},…]}} → {@code 200 {"results":[…]}}, one result per event in
   * order: {@code {"topic","id","ts"}} or {@code {"topic","error":{"code","message"}}}.
   */
  private void publishBatch(RoutingContext ctx) {
    Future.succeededFuture(ctx)
      .map(this::batch)
      .compose(batch -> publishing.publish(Access.of(ctx), batch))
      .onSuccess(results -> HttpReplies.json(ctx.response(), 200, new JsonObject().put("results", results)))
      .onFailure(e -> fail(ctx, e));
  }

  private void topic(RoutingContext ctx) {
    Future.succeededFuture(ctx)
      .map(c -> Topics.require(c.pathParam("topic")))
      .compose(log::state)
      .map(state -> state.orElseThrow(() -> new GatewayException(ErrorCode.NOT_FOUND,
        "topic " + ctx.pathParam("topic") + " has no events")))
      .onSuccess(state -> HttpReplies.json(ctx.response(), 200, info(state)))
      .onFailure(e -> fail(ctx, e));
  }

  /** A page of the listing (see TopicQuery): a gateway may keep {@code maxTopics} of them. */
  private void topics(RoutingContext ctx) {
    Access access = Access.of(ctx);
    HttpServerRequest request = ctx.request();
    Future.succeededFuture(request)
      .map(r -> new TopicQuery(Objects.requireNonNullElse(r.getParam("prefix"), ""), r.getParam("after"),
        SubscriptionParams.intParam(r, "limit", LISTING_LIMIT, 1, MAX_LISTING_LIMIT), access::maySubscribe))
      .compose(log::topics)
      .onSuccess(page -> HttpReplies.json(ctx.response(), 200,
        new JsonObject().put("topics", new JsonArray(page.topics())).put("next", page.next())))
      .onFailure(e -> fail(ctx, e));
  }

  private JsonObject info(TopicState state) {
    JsonObject subscribers = new JsonObject();
    for (Transport t : new Transport[] {Transport.WS, Transport.SSE, Transport.LONG}) {
      subscribers.put(t.label(), counts.get(state.topic(), t));
    }
    HistoryLimits kept = config.historyLimits().forTopic(state.topic());
    return new JsonObject()
      .put("topic", state.topic())
      .put("lastId", state.lastId())
      .put("oldestId", state.oldestId())
      .put("epoch", state.epoch())
      .put("subscribers", subscribers)
      .put("history", new JsonObject().put("events", kept.events()).put("maxAgeSeconds", kept.maxAgeMillis() / 1000));
  }

  /** The body as the data travels: the text as sent, re-encoded only if it has a line break. */
  private String dataJson(RoutingContext ctx) {
    try {
      return JsonText.checked(jsonBody(ctx));
    } catch (DecodeException e) {
      throw notJson();
    }
  }

  /** The publish's {@code Idempotency-Key}, or null; given twice, it names nothing and is refused. */
  private static String idempotencyKey(RoutingContext ctx) {
    String key = ctx.request().getHeader(IDEMPOTENCY_KEY);
    if (key == null) {
      return null; // most publishes: nothing more to look at
    }
    int given = ctx.request().headers().getAll(IDEMPOTENCY_KEY).size();
    if (given > 1) {
      throw new GatewayException(ErrorCode.INVALID_PARAMETER, "Idempotency-Key is given " + given + " times");
    }
    return key;
  }

  /** JSON data ({@code application/json}, or no Content-Type at all, which is refused as JSON). */
  private static boolean isJson(RoutingContext ctx) {
    String contentType = ctx.request().getHeader("Content-Type");
    return contentType == null || contentType.isBlank() || contentType.toLowerCase().startsWith("application/json");
  }

  /** The body of a binary publish: not compressed, any bytes, at least one. */
  private static byte[] binaryBody(RoutingContext ctx) {
    refuseContentEncoding(ctx);
    Buffer body = ctx.body().buffer();
    if (body == null || body.length() == 0) {
      throw new GatewayException(ErrorCode.INVALID_PARAMETER, "the body of a binary publish is empty");
    }
    return body.getBytes();
  }

  /** The text of a publish's body (UTF-8, stripped), checked: not compressed, JSON; read within its limit (PublishBodies). */
  private static String jsonBody(RoutingContext ctx) {
    return jsonBody(ctx, " (binary data: POST /api/topics/{topic}/events with its media type)");
  }

  /** The same for any JSON body; {@code hint} follows the refusal of another media type. */
  static String jsonBody(RoutingContext ctx, String hint) {
    refuseContentEncoding(ctx);
    String contentType = ctx.request().getHeader("Content-Type");
    if (contentType == null || !contentType.toLowerCase().startsWith("application/json")) {
      throw new GatewayException(ErrorCode.INVALID_PARAMETER, "Content-Type must be application/json" + hint);
    }
    Buffer body = ctx.body().buffer();
    if (body == null || body.length() == 0) {
      throw new GatewayException(ErrorCode.INVALID_JSON, "the body must be a JSON value");
    }
    return utf8(body).strip();
  }

  /** The batch a body {@code {"events":[…]}} holds, read in one pass over its tokens. */
  private PublishBatch batch(RoutingContext ctx) {
    String body = jsonBody(ctx);
    PublishBatch.Member events = null;
    try (JsonParser parser = JacksonCodec.createParser(body)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        JsonText.checked(body);
        throw new GatewayException(ErrorCode.INVALID_PARAMETER, "the body must be {\"events\":[…]}");
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        boolean isEvents = parser.currentName().equals("events");
        parser.nextToken();
        if (isEvents) {
          events = PublishBatch.readMember(parser, body, config.maxBatchEvents()); // a repeated member: the last counts
        } else {
          parser.skipChildren();
        }
      }
      if (parser.nextToken() != null) {
        throw notJson();
      }
    } catch (IOException | DecodeException e) {
      throw notJson();
    }
    return PublishBatch.Member.require(events);
  }

  private static GatewayException notJson() {
    return new GatewayException(ErrorCode.INVALID_JSON, "the body is not valid JSON");
  }

  private static void refuseContentEncoding(RoutingContext ctx) {
    String encoding = ctx.request().getHeader(HttpHeaders.CONTENT_ENCODING);
    if (encoding != null && !encoding.isBlank() && !encoding.trim().equalsIgnoreCase("identity")) {
      // Bodies are never inflated (a small gzip bomb unpacks to gigabytes); RFC 9110 §12.5.3: the
      // answer names the codings that would have been accepted.
      ctx.response().putHeader(HttpHeaders.ACCEPT_ENCODING, "identity");
      throw new GatewayException(ErrorCode.INVALID_PARAMETER,
        "Content-Encoding is not supported on publish bodies, send them uncompressed");
    }
  }

  /**
   * JSON text exchanged between systems is UTF-8 (RFC 8259 §8.1): bytes that are not (a stray
   * 0xC3, an overlong form, an encoded surrogate) are refused rather than stored as U+FFFD.
   */
  private static String utf8(Buffer body) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(body.getBytes()))
        .toString();
    } catch (CharacterCodingException e) {
      throw new GatewayException(ErrorCode.INVALID_JSON, "the body is not valid UTF-8");
    }
  }

  private void fail(RoutingContext ctx, Throwable e) {
    HttpReplies.failure(ctx.request(), e, metrics);
  }

}
