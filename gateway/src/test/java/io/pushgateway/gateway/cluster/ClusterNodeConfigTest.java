package io.pushgateway.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import com.hazelcast.config.MapConfig;
import io.pushgateway.gateway.config.GatewayConfig;
import org.junit.jupiter.api.Test;

/** The Hazelcast settings a gateway node asks for: backups synchronous unless told otherwise. */
class ClusterNodeConfigTest {

  @Test
  void backupsAreSynchronousByDefaultAndAsynchronousOnlyWhenAsked() throws Exception {
    MapConfig topics = ClusterNode.hazelcastConfig(GatewayConfig.defaults().with("clusterBackupCount", 2))
      .getMapConfig(HazelcastEventLog.TOPICS_MAP);
    assertThat(topics.getBackupCount()).isEqualTo(2);
    assertThat(topics.getAsyncBackupCount()).isZero();

    Config async = ClusterNode.hazelcastConfig(GatewayConfig.defaults().with("clusterBackupCount", 2)
      .with("clusterAsyncBackups", true));
    assertThat(async.getMapConfig(HazelcastEventLog.TOPICS_MAP).getBackupCount()).isZero();
    assertThat(async.getMapConfig(HazelcastEventLog.TOPICS_MAP).getAsyncBackupCount()).isEqualTo(2);
    assertThat(async.getMapConfig(HazelcastPresence.PRESENCE_MAP).getBackupCount()).isEqualTo(2);
  }
}
