package io.pushgateway.gateway.transport.poll;

import io.pushgateway.gateway.core.Cursor;
import io.pushgateway.gateway.core.Event;
import io.pushgateway.gateway.core.Hub;
import io.pushgateway.gateway.core.Position;
import io.pushgateway.gateway.core.PresenceChange;
import io.pushgateway.gateway.core.ReadRequest;
import io.pushgateway.gateway.core.ReadResult;
import io.pushgateway.gateway.core.Transport;
import io.pushgateway.gateway.security.Access;
import io.pushgateway.gateway.security.Revocations;
import io.pushgateway.gateway.transport.EventFormat;
import io.pushgateway.gateway.transport.PollReply;
import io.pushgateway.gateway.transport.TransportContext;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Map;

/**
 * One waiting long poll (RFC 6202 §2.1). It listens on the hub before it looks at the log (a read,
 * or only the log's head when the cursor is there already), so an event accepted meanwhile cannot
 * be missed; it is answered by the first event past its cursor, by its timeout, or by a graceful
 * stop, and, when it asked for presence, by a member joining or leaving. Its resources are
 * released in {@link #finish}.
 */
final class LongPoll implements Hub.Listener, PollDeadlines.Waiter {

  private final ReadRequest request;
  private final EventFormat format;
  private final PollReply reply;
  private final TransportContext context;
  private final LongPollTransport transport;
  /** Null unless it asked for presence. */
  private final PollPresence presence;
  private Cursor cursor;
  private PollDeadlines.Place deadline;
  private boolean reading;
  private boolean stale;
  /** How long a join or leave waits for others before it answers the poll. */
  static final long PRESENCE_GATHER_MILLIS = 250;

  private long presenceTimer = -1;
  /** A join or leave came while reading. */
  private boolean membersChanged;
  private boolean done;
  private final Access access;
  private Revocations.Watch revocation = Revocations.Watch.NONE;

  /** {@code access}: what the poller's token allows; the poll is refused if it is revoked while it waits. */
  LongPoll(ReadRequest request, EventFormat format, PollReply reply, PollPresence presence,
           TransportContext context, LongPollTransport transport, Access access) {
    this.access = access;
    this.request = request;
    this.format = format;
    this.presence = presence;
    this.reply = reply;
    this.context = context;
    this.transport = transport;
    this.cursor = request.cursor();
  }

  void start(long timeoutMillis) {
    request.topics().forEach(topic -> context.hub().add(topic, this));
    reply.onClose(() -> {
      if (!done && presence != null) {
        presence.wentAway();
      }
      finish(null);
    });
    deadline = transport.deadlines().add(this, timeoutMillis);
    revocation = context.revocations().watch(access, this::revoked);
    if (presence != null && presence.changedSinceSeen()) {
      // someone joined or left between the poller's last answer and this poll
      answerNow();
      return;
    }
    Cursor head = Polls.atHead(request.topics(), cursor, context.log());
    if (head != null) {
      // the usual re-poll after an answer: nothing to read, the next event comes from the hub
      cursor = head;
      return;
    }
    Event next = Polls.nextAtHead(request.topics(), cursor, context.log(), transport.liveAnswer().event(),
      context.config().historyLimits());
    if (next != null) {
      answerWith(next);
    } else {
      read();
    }
  }

  private void read() {
    reading = true;
    stale = false;
    context.log().read(request.from(cursor))
      .onSuccess(result -> {
        reading = false;
        if (done) {
          return;
        }
        cursor = result.cursor();
        if (!result.isEmpty()) {
          finish(result);
        } else if (membersChanged) {
          answerNow();
        } else if (stale) {
          read();
        }
      })
      .onFailure(e -> {
        if (!done) {
          done = true;
          release();
          Polls.failed(reply, e, context);
        }
      });
  }

  @Override
  public Transport transport() {
    return Transport.LONG;
  }

  @Override
  public void onEvent(Event event) {
    if (done) {
      return;
    }
    if (reading) {
      stale = true;
      return;
    }
    switch (Position.step(cursor.get(event.topic()), event)) {
      // the client has it: its cursor was taken from another event loop that got it first
      case SEEN -> { }
      case NEXT -> answerWith(event); // the common case
      case GAP -> {
        if (request.newestOnly().contains(event.topic()) && Position.ahead(cursor.get(event.topic()), event)) {
          answerWith(event); // a conflating poll skips ahead: the newest is its answer
        } else {
          read();
        }
      }
    }
  }

  /**
   * Counts alone (a big room's) wait for the next answer; a join or leave answers within
   * {@link #PRESENCE_GATHER_MILLIS}, with whatever else changed meanwhile: each answer carries the
   * whole list, so a burst of changes is one answer per poller, not one per change.
   */
  @Override
  public void onPresence(PresenceChange change) {
    if (presence == null || done || change.kind() == PresenceChange.Kind.OCCUPANCY || presenceTimer != -1) {
      return;
    }
    presenceTimer = context.vertx().setTimer(PRESENCE_GATHER_MILLIS, id -> {
      presenceTimer = -1;
      if (reading) {
        membersChanged = true; // answered once the read is in: it may bring events too
      } else {
        answerNow();
      }
    });
  }

  /** Exactly the next event: answered without asking the log. */
  private void answerWith(Event event) {
    Cursor after = cursor.with(event.topic(), event.position());
    Buffer body = transport.liveAnswer().body(event, after, request, format);
    finish(new ReadResult(List.of(), List.of(event), after, Map.of(), false), body);
  }

  /** Its token was revoked while it waited: {@code 401}, and none of what came since. */
  private void revoked() {
    if (!done) {
      done = true;
      release();
      Polls.failed(reply, Revocations.refusal(), context);
    }
  }

  @Override
  public void timedOut() {
    answerNow();
  }

  /** Answers with what is known now (nothing new): timeout or graceful stop. */
  void answerNow() {
    if (!done) {
      finish(ReadResult.nothingNew(cursor));
    }
  }

  /** Answers with {@code result} (null: the client went away) and releases everything. */
  private void finish(ReadResult result) {
    finish(result, null);
  }

  /** As {@link #finish(ReadResult)}, with {@code body} the result already encoded (null: not yet). */
  private void finish(ReadResult result, Buffer body) {
    if (done) {
      return;
    }
    done = true;
    release();
    if (result != null) {
      Polls.answer(reply, result, body != null ? body : PollAnswer.encode(result, request, format), presence,
        Transport.LONG, context);
    }
  }

  private void release() {
    revocation.cancel();
    if (deadline != null) {
      transport.deadlines().remove(deadline);
    }
    if (presenceTimer != -1) {
      context.vertx().cancelTimer(presenceTimer);
      presenceTimer = -1;
    }
    request.topics().forEach(topic -> context.hub().remove(topic, this));
    transport.forget(this);
  }
}
