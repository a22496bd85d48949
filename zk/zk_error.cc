// ZkError names and the mapping from the ZooKeeper C client's return codes.
#include "zk/zk_error.h"

#include <zookeeper/zookeeper.h>

namespace gregor::zk {

std::string_view to_string(ZkError error) {
  switch (error) {
    case ZkError::ok:
      return "ok";
    case ZkError::no_node:
      return "no_node";
    case ZkError::node_exists:
      return "node_exists";
    case ZkError::bad_version:
      return "bad_version";
    case ZkError::not_empty:
      return "not_empty";
    case ZkError::no_children_for_ephemerals:
      return "no_children_for_ephemerals";
    case ZkError::connection_loss:
      return "connection_loss";
    case ZkError::operation_timeout:
      return "operation_timeout";
    case ZkError::session_expired:
      return "session_expired";
    case ZkError::closing:
      return "closing";
    case ZkError::invalid_state:
      return "invalid_state";
    case ZkError::other:
      return "other";
    case ZkError::controller_moved:
      return "controller_moved";
  }
  return "unknown";
}

ZkError from_zoo_code(int rc) {
  switch (rc) {
    case ZOK:
      return ZkError::ok;
    case ZNONODE:
      return ZkError::no_node;
    case ZNODEEXISTS:
      return ZkError::node_exists;
    case ZBADVERSION:
      return ZkError::bad_version;
    case ZNOTEMPTY:
      return ZkError::not_empty;
    case ZNOCHILDRENFOREPHEMERALS:
      return ZkError::no_children_for_ephemerals;
    case ZCONNECTIONLOSS:
      return ZkError::connection_loss;
    case ZOPERATIONTIMEOUT:
      return ZkError::operation_timeout;
    case ZSESSIONEXPIRED:
      return ZkError::session_expired;
    case ZCLOSING:
      return ZkError::closing;
    case ZINVALIDSTATE:
      return ZkError::invalid_state;
    default:
      return ZkError::other;
  }
}

}  // namespace gregor::zk
