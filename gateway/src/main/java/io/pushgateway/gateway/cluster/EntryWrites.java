package io.pushgateway.gateway.cluster;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;

/** A map listener told each value written, added or replaced alike. */
interface EntryWrites<K, V> extends EntryAddedListener<K, V>, EntryUpdatedListener<K, V> {

  void written(V value);

  @Override
  default void entryAdded(EntryEvent<K, V> event) {
    written(event.getValue());
  }

  @Override
  default void entryUpdated(EntryEvent<K, V> event) {
    written(event.getValue());
  }
}
