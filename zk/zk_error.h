// ZkError: the small error vocabulary of zk/ (ZooKeeper result codes the broker acts on).
#pragma once

#include <string_view>

namespace gregor::zk {

// Control-flow results (no_node, node_exists, bad_version) and session trouble; everything else
// the broker cannot act on specifically is `other` (the C client's text goes to the "zk" log).
// controller_moved: a fenced write lost its check on /controller_epoch (Kafka's ControllerMovedException).
enum class ZkError {
  ok,
  no_node,
  node_exists,
  bad_version,
  not_empty,
  no_children_for_ephemerals,
  connection_loss,
  operation_timeout,
  session_expired,
  closing,
  invalid_state,
  other,
  controller_moved,
};

std::string_view to_string(ZkError error);

// Maps a ZooKeeper C client return code (ZOK, ZNONODE, ...) to ZkError.
ZkError from_zoo_code(int rc);

}  // namespace gregor::zk
