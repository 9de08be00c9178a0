package io.pushgateway.gateway.core;

import io.vertx.core.Future;
import java.util.Optional;

/**
 * The one authority over topics, ids and history, as every transport sees it. Each accepted event
 * is also sent to the local {@link Hub}s that listen to its topic ({@link #hubs()}).
 * The in-memory single node is {@link LocalEventLog}; other engines (a cluster) implement the same
 * interface.
 */
public interface EventLog {

  /** Accepts {@code dataJson} (valid JSON, no line breaks) as the topic's next event. */
  default Future<Event> append(String topic, String dataJson) {
    return append(topic, dataJson, null);
  }

  /**
   * Accepts the topic's next event: JSON data ({@code contentType} null), or bytes of
   * {@code contentType} carried as their base64 in a JSON string (see {@link Event#encode}).
   * Appends to one topic made one after another on one thread get their ids in that order,
   * without waiting for each other (a batch publish relies on it).
   */
  default Future<Event> append(String topic, String dataJson, String contentType) {
    return appendOnce(topic, dataJson, contentType, null).map(Stored::event);
  }

  /**
   * The same for a publish that may carry an idempotency {@code key} (null: none, checked by
   * {@link PublishKeys#check}): a key the topic's history keeps is not stored again, the answer
   * is that event as a duplicate; with other data the publish is refused
   * ({@link ErrorCode#KEY_CONFLICT}).
   */
  Future<Stored> appendOnce(String topic, String dataJson, String contentType, String key);

  /** Events after a cursor: the one resume path of all four transports. */
  Future<ReadResult> read(ReadRequest request);

  /** The topic's state, empty if the topic has never had an event. */
  Future<Optional<TopicState>> state(String topic);

  /**
   * Drops the topic's history, subscribed or not: its next event starts a new history (a new
   * epoch, ids from 1), so every cursor of the old one, and every stream at it, gets a reset.
   * Answers whether it had events.
   */
  Future<Boolean> delete(String topic);

  /** A page of the names of the topics with events. */
  Future<TopicQuery.Page> topics(TopicQuery query);

  /** Releases the log's resources (its verticle, its cluster membership). */
  Future<Void> close();

  /** This node's hubs, which every event accepted anywhere reaches when they listen to its topic. */
  Hubs hubs();

  /**
   * The position of the topic's newest event, known without asking the log, or null. Any thread.
   * A listener added to its hub before this call gets every event after the position returned:
   * a subscriber whose cursor equals it is caught up and can wait for the hub without a read.
   */
  default Position head(String topic) {
    return null;
  }

  /**
   * Whether {@link #head} knows every topic with events, so that null means the topic has none
   * (the in-memory log); a cluster node knows only the heads of what reached it.
   */
  default boolean knowsEveryHead() {
    return false;
  }

  /** Able to serve history now; a cluster log is not while it cannot reach the cluster. */
  default boolean ready() {
    return true;
  }

  /** Events kept in history over all topics, for the metrics; any thread, may lag a little. */
  default long keptEvents() {
    return 0;
  }

  /** Topics that have history, for the metrics; any thread, may lag a little. */
  default long topicCount() {
    return 0;
  }

  /**
   * Batches of appends sent to another process so far, one round trip each (a cluster's, to the
   * topics' owners); 0 for a log in this process. For the metrics; any thread.
   */
  default long appendBatches() {
    return 0;
  }

  /**
   * Every event this node is the first home of has its copies on other nodes, as many as the
   * backup count and the members allow, in sync: with one copy or more, one more node may die
   * without losing history. False while copies are being made (after a node joined, left or
   * died). True for a log in this process, which keeps no copies to wait for. Any thread, as
   * last checked.
   */
  default boolean backupsInSync() {
    return true;
  }

  /** The cluster's members as this node saw them at its last {@link #backupsInSync} check; 1 for a log in this process. */
  default int clusterMembers() {
    return 1;
  }
}
