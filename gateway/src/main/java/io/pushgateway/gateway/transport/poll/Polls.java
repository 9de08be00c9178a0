package io.pushgateway.gateway.transport.poll;

import io.pushgateway.gateway.config.GatewayConfig;
import io.pushgateway.gateway.core.Cursor;
import io.pushgateway.gateway.core.Event;
import io.pushgateway.gateway.core.EventLog;
import io.pushgateway.gateway.core.GatewayException;
import io.pushgateway.gateway.core.HistoryLimits;
import io.pushgateway.gateway.core.Position;
import io.pushgateway.gateway.core.ReadRequest;
import io.pushgateway.gateway.core.ReadResult;
import io.pushgateway.gateway.http.HttpReplies;
import io.pushgateway.gateway.transport.EventFormat;
import io.pushgateway.gateway.transport.PollReply;
import io.pushgateway.gateway.transport.SubscriptionParams;
import io.pushgateway.gateway.core.Transport;
import io.pushgateway.gateway.transport.TransportContext;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the two polls share: reading the request into a log read, and answering. */
final class Polls {

  private Polls() {
  }

  /**
   * A poll as its request asks: what to read, in which format, the seconds it names (a long
   * poll's timeout, a short poll's interval between polls, either its presence lease) and its
   * presence (null: it did not ask).
   */
  /** {@code rewind}: what the request rewinds, for a re-poll of it with another cursor. */
  record Asked(ReadRequest read, EventFormat format, int seconds, PollPresence presence,
               SubscriptionParams.PerTopic rewind) {

    /** Reads a poll's request; the seconds from {@code secondsParam}, 1 to {@code maxSeconds}. */
    static Asked of(RoutingContext ctx, Transport transport, String secondsParam, int defaultSeconds, int maxSeconds,
                    TransportContext context) {
      SubscriptionParams params = SubscriptionParams.parse(ctx.request(), context.config());
      ReadRequest read = readRequest(ctx.request(), params, context.config());
      EventFormat format = EventFormat.of(ctx.request());
      int seconds = SubscriptionParams.intParam(ctx.request(), secondsParam, defaultSeconds, 1, maxSeconds);
      return new Asked(read, format, seconds, PollPresence.of(ctx, read.topics(), transport, seconds * 1000L, context),
        params.rewind());
    }
  }

  /** Without a cursor (or a rewind) the answer is immediate and empty: the client starts at "now". */
  private static ReadRequest readRequest(HttpServerRequest request, SubscriptionParams params, GatewayConfig config) {
    int limit = SubscriptionParams.intParam(request, "limit", config.pollLimit(), 1, config.maxPollLimit());
    return new ReadRequest(params.topics(), params.cursor(), params.cursor().isEmpty() ? 0 : limit, config.maxQueueBytes(),
      params.conflation().positive(params.topics()));
  }

  /**
   * When the cursor stands at every polled topic's newest event, as the log's head shows without
   * a read, the cursor a read would hand back (the polled topics only): a read would find nothing
   * new. Otherwise null.
   */
  static Cursor atHead(List<String> topics, Cursor cursor, EventLog log) {
    for (String topic : topics) {
      if (!atItsHead(topic, cursor, log)) {
        return null;
      }
    }
    if (cursor.positions().size() == topics.size()) {
      return cursor; // the usual re-poll's cursor, the last answer's: no other topics to leave out
    }
    Map<String, Position> positions = new LinkedHashMap<>();
    topics.forEach(topic -> positions.put(topic, cursor.get(topic)));
    return Cursor.of(positions);
  }

  /**
   * The event a read would answer with alone, known without one: {@code recent}, the newest event
   * this event loop answered polls with, when it is the head of a polled topic whose cursor stands
   * just before it, every other polled topic at its head, and it has not aged out of history
   * (its topic's age bound in {@code history}). That is a long poll coming back after the next event
   * went out, the usual case once events come faster than a poll's round trip: it then costs no
   * trip to the log's event loop. Otherwise null.
   */
  static Event nextAtHead(List<String> topics, Cursor cursor, EventLog log, Event recent, HistoryLimits history) {
    if (recent == null || !topics.contains(recent.topic())
        || Position.step(cursor.get(recent.topic()), recent) != Position.Step.NEXT
        || !recent.position().equals(log.head(recent.topic()))) {
      return null;
    }
    long maxAge = history.forTopic(recent.topic()).maxAgeMillis();
    if (maxAge > 0 && recent.ts() < System.currentTimeMillis() - maxAge) {
      return null; // no clock read for a topic kept by count alone, the usual case
    }
    for (String topic : topics) {
      if (!topic.equals(recent.topic()) && !atItsHead(topic, cursor, log)) {
        return null;
      }
    }
    return recent;
  }

  private static boolean atItsHead(String topic, Cursor cursor, EventLog log) {
    Position at = cursor.get(topic);
    Position head = log.head(topic);
    return at != null && head != null && at.id() == head.id() && head.epoch().equals(at.epoch());
  }

  /** Answers with what the log holds for {@code asked}. */
  static void answerFromLog(HttpServerRequest request, Asked asked, Transport transport, TransportContext context) {
    context.log().read(asked.read())
      .onSuccess(result -> answer(PollReply.of(request), asked, result, transport, context))
      .onFailure(e -> failed(PollReply.of(request), e, context));
  }

  static void answer(PollReply reply, Asked asked, ReadResult result, Transport transport, TransportContext context) {
    answer(reply, result, PollAnswer.encode(result, asked.read(), asked.format()), asked.presence(), transport, context);
  }

  /**
   * Answers with {@code body}, {@code result} already encoded (see {@link LiveAnswer}), and the
   * presence snapshots when the poll asked ({@code presence} not null).
   */
  static void answer(PollReply reply, ReadResult result, Buffer encoded, PollPresence presence,
                     Transport transport, TransportContext context) {
    Buffer body = presence == null ? encoded : presence.addTo(encoded);
    context.metrics().polled(transport, result.events().isEmpty());
    result.resets().forEach(r -> context.metrics().reset(transport));
    if (!result.events().isEmpty()) {
      context.metrics().delivered(transport, result.events().size(), body.length());
    }
    if (!reply.closed()) {
      reply.json(200, body);
    }
  }

  /** A failed read: {@code overloaded} when the log is unavailable, else a logged {@code internal_error}. */
  static void failed(PollReply reply, Throwable failure, TransportContext context) {
    GatewayException error = HttpReplies.known(failure, reply.served());
    context.metrics().rejected(error.code());
    if (!reply.closed()) {
      reply.json(error.code().status(), HttpReplies.errorBody(error));
    }
  }
}
