package io.pushgateway.gateway.core;

import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.function.Predicate;

/**
 * A page of the topic listing: the names of topics with events, in name order, starting with
 * {@code prefix} (empty: any), after {@code after} (null: from the first), that {@code visible}
 * accepts (the token's right to subscribe); at most {@code limit} of them. A page looks at no more
 * than {@link #NAMES_LOOKED_AT_PER_LISTED} names per one it may list, so however many topics the
 * gateway keeps and however few a token may see, one request is bounded work: the page then ends
 * early and says where the next one starts.
 */
public record TopicQuery(String prefix, String after, int limit, Predicate<String> visible) {

  static final int NAMES_LOOKED_AT_PER_LISTED = 10;

  /** The names listed, and where the next page starts ({@code after=next}); null when this one is the last. */
  public record Page(List<String> topics, String next) {
  }

  /** This page of {@code names}, the sorted names of the topics with events. */
  public Page of(NavigableSet<String> names) {
    // the names with the prefix come one after another, from the prefix itself on
    NavigableSet<String> candidates = after != null && after.compareTo(prefix) >= 0
      ? names.tailSet(after, false) : names.tailSet(prefix, true);
    List<String> listed = new ArrayList<>();
    int lookedAt = 0;
    String last = null;
    for (String name : candidates) {
      if (!name.startsWith(prefix)) {
        break;
      }
      if (listed.size() == limit || lookedAt == limit * NAMES_LOOKED_AT_PER_LISTED) {
        return new Page(listed, last);
      }
      lookedAt++;
      last = name;
      if (visible.test(name)) {
        listed.add(name);
      }
    }
    return new Page(listed, null);
  }
}
