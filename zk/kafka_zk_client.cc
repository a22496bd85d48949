// KafkaZkClient: Kafka's znode operations as asynchronous chains of Session calls.
#include "zk/kafka_zk_client.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <limits>
#include <memory>

#include "zk/logger.h"
#include "zk/paths.h"

namespace gregor::zk {
namespace {

using Op = Session::Op;
using OpResult = Session::OpResult;

constexpr int kRetries = 5;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string str(std::string_view s) { return std::string(s); }

void log_bad_json(std::string_view path, const std::string& error) { logger()->error("{}: {}", path, error); }

// Runs `fn` on a later loop turn (the Session's ready queue), so no done() is ever called synchronously.
void post(Session& s, std::function<void()> fn) {
  s.multi_results({}, [fn = std::move(fn)](ZkError, std::vector<OpResult>) { fn(); });
}

// Waits for n steps, reports the first error.
struct Join {
  size_t left;
  ZkError first = ZkError::ok;
  std::function<void(ZkError)> done;
  void arrive(ZkError e) {
    if (first == ZkError::ok && e != ZkError::ok) first = e;
    if (--left == 0) done(first);
  }
};

// Outcome of a fenced multi whose op 0 is check(/controller_epoch): a failed check means another
// controller took over (op results before the failing op are ok, after it runtime-inconsistency).
ZkError fenced_result(ZkError overall, const std::vector<OpResult>& results, bool fenced) {
  if (overall == ZkError::ok || !fenced || results.empty()) return overall;
  if (results[0].error == ZkError::bad_version || results[0].error == ZkError::no_node) {
    return ZkError::controller_moved;
  }
  return overall;
}

std::vector<Op> fence(int32_t epoch_zk_version, std::vector<Op> ops) {
  if (epoch_zk_version < 0) return ops;
  ops.insert(ops.begin(), Op::check(str(paths::kControllerEpoch), epoch_zk_version));
  return ops;
}

std::vector<int32_t> parse_ids(const std::vector<std::string>& names) {
  std::vector<int32_t> ids;
  for (const auto& n : names) {
    int32_t id = 0;
    auto [ptr, ec] = std::from_chars(n.data(), n.data() + n.size(), id);
    if (ec == std::errc() && ptr == n.data() + n.size()) ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

void write_config(Session& s, const std::string& path, std::string json, std::function<void(ZkError)> done) {
  s.set(path, json, -1, [&s, path, json, done = std::move(done)](ZkError e, Stat) mutable {
    if (e != ZkError::no_node) return done(e);
    s.create_recursive(path, json, [&s, path, json, done = std::move(done)](ZkError ce) mutable {
      if (ce != ZkError::node_exists) return done(ce);
      s.set(path, json, -1, [done = std::move(done)](ZkError se, Stat) { done(se); });  // created meanwhile
    });
  });
}

// Post-order list of `path` and its descendants (children before parents); empty if path is missing.
void collect_tree(Session& s, const std::string& path,
                  std::function<void(ZkError, std::vector<std::string>)> done) {
  s.get_children(
      path, {}, [&s, path, done = std::move(done)](ZkError e, std::vector<std::string> children) mutable {
        if (e == ZkError::no_node) return done(ZkError::ok, {});
        if (e != ZkError::ok) return done(e, {});
        if (children.empty()) return done(ZkError::ok, {path});
        struct Gather {
          std::vector<std::vector<std::string>> parts;
          size_t left;
          ZkError first = ZkError::ok;
          std::string path;
          std::function<void(ZkError, std::vector<std::string>)> done;
        };
        auto g = std::make_shared<Gather>(Gather{std::vector<std::vector<std::string>>(children.size()),
                                                 children.size(), ZkError::ok, path, std::move(done)});
        for (size_t i = 0; i < children.size(); ++i) {
          collect_tree(s, path + "/" + children[i], [g, i](ZkError ce, std::vector<std::string> nodes) {
            if (g->first == ZkError::ok && ce != ZkError::ok) g->first = ce;
            g->parts[i] = std::move(nodes);
            if (--g->left > 0) return;
            std::vector<std::string> all;
            for (auto& part : g->parts) all.insert(all.end(), part.begin(), part.end());
            all.push_back(g->path);
            g->done(g->first, g->first == ZkError::ok ? std::move(all) : std::vector<std::string>{});
          });
        }
      });
}

}  // namespace

KafkaZkClient::KafkaZkClient(Session& session) : session_(&session) {}

void KafkaZkClient::rebind(Session& session) { session_ = &session; }

bool KafkaZkClient::is_own_session(int64_t session_id) const {
  return std::find(own_sessions_.begin(), own_sessions_.end(), session_id) != own_sessions_.end();
}

void KafkaZkClient::create_top_level_paths(std::function<void(ZkError)> done) {
  Session& s = *session_;
  auto all = paths::top_level_paths();
  auto join = std::make_shared<Join>(Join{all.size(), ZkError::ok, std::move(done)});
  for (const auto& p : all) {
    s.create_recursive(p, {},
                       [join](ZkError e) { join->arrive(e == ZkError::node_exists ? ZkError::ok : e); });
  }
}

void KafkaZkClient::get_or_create_cluster_id(std::function<void(ZkError, std::string)> done) {
  Session& s = *session_;
  auto read = [&s](std::function<void(ZkError, std::string)> done) {
    s.get(str(paths::kClusterId), {}, [done = std::move(done)](ZkError e, std::string data, Stat) {
      if (e != ZkError::ok) return done(e, {});
      auto id = decode_cluster_id(data);
      if (!id) log_bad_json(paths::kClusterId, id.error());
      done(id ? ZkError::ok : ZkError::other, id ? *id : std::string());
    });
  };
  read([&s, read, done = std::move(done)](ZkError e, std::string id) mutable {
    if (e != ZkError::no_node) return done(e, id);
    std::string proposed = new_cluster_id();
    s.create_recursive(str(paths::kClusterId), encode_cluster_id(proposed),
                       [read, proposed, done = std::move(done)](ZkError ce) mutable {
                         if (ce == ZkError::ok) return done(ZkError::ok, proposed);
                         if (ce != ZkError::node_exists) return done(ce, {});
                         read(std::move(done));  // another broker won the race
                       });
  });
}

// ---- broker registration -----------------------------------------------------------------------------

void KafkaZkClient::register_broker(const BrokerRegistration& reg,
                                    std::function<void(ZkError, int64_t)> done) {
  register_attempt(*session_, paths::broker_id_path(reg.id), encode(reg), kRetries, std::move(done));
}

void KafkaZkClient::register_attempt(Session& s, std::string path, std::string data, int attempts,
                                     std::function<void(ZkError, int64_t)> done) {
  s.create(path, data, CreateMode::ephemeral,
           [this, &s, path, data, attempts, done = std::move(done)](ZkError e, std::string, Stat st) mutable {
             if (e == ZkError::ok) {
               own_sessions_.push_back(s.session_id());
               return done(ZkError::ok, st.czxid);
             }
             if (e == ZkError::no_node && attempts > 0) {  // /brokers/ids missing
               return s.create_recursive(
                   str(paths::kBrokerIds), {},
                   [this, &s, path, data, attempts, done = std::move(done)](ZkError) mutable {
                     register_attempt(s, path, data, attempts - 1, std::move(done));
                   });
             }
             if (e != ZkError::node_exists) return done(e, -1);
             s.get(path, {},
                   [this, &s, path, data, attempts, done = std::move(done)](ZkError ge, std::string,
                                                                            Stat existing) mutable {
                     if (ge == ZkError::no_node && attempts > 0)
                       return register_attempt(s, path, data, attempts - 1, std::move(done));
                     if (ge != ZkError::ok) return done(ge, -1);
                     if (existing.ephemeral_owner == s.session_id()) return done(ZkError::ok, existing.czxid);
                     if (!is_own_session(existing.ephemeral_owner) || attempts <= 0) {
                       logger()->error("{} is registered by another live session 0x{:x}", path,
                                       existing.ephemeral_owner);
                       return done(ZkError::node_exists, -1);
                     }
                     // Left behind by an earlier session of ours that the server has not expired yet.
                     s.remove(
                         path, existing.version,
                         [this, &s, path, data, attempts, done = std::move(done)](ZkError re) mutable {
                           if (re != ZkError::ok && re != ZkError::no_node && re != ZkError::bad_version) {
                             return done(re, -1);
                           }
                           register_attempt(s, path, data, attempts - 1, std::move(done));
                         });
                   });
           });
}

// ---- controller --------------------------------------------------------------------------------------

void KafkaZkClient::get_controller_epoch(std::function<void(ZkError, int32_t, int32_t)> done) {
  read_controller_epoch(*session_, std::move(done));
}

void KafkaZkClient::read_controller_epoch(Session& s, std::function<void(ZkError, int32_t, int32_t)> done) {
  auto read = [&s](std::function<void(ZkError, int32_t, int32_t)> done) {
    s.get(str(paths::kControllerEpoch), {}, [done = std::move(done)](ZkError e, std::string data, Stat st) {
      if (e != ZkError::ok) return done(e, -1, -1);
      auto epoch = decode_controller_epoch(data);
      if (!epoch) log_bad_json(paths::kControllerEpoch, epoch.error());
      done(epoch ? ZkError::ok : ZkError::other, epoch ? *epoch : -1, st.version);
    });
  };
  read([&s, read, done = std::move(done)](ZkError e, int32_t epoch, int32_t version) mutable {
    if (e != ZkError::no_node) return done(e, epoch, version);
    s.create(str(paths::kControllerEpoch), encode_controller_epoch(0), CreateMode::persistent,
             [read, done = std::move(done)](ZkError ce, std::string, Stat st) mutable {
               if (ce == ZkError::ok) return done(ZkError::ok, 0, st.version);
               if (ce != ZkError::node_exists) return done(ce, -1, -1);
               read(std::move(done));
             });
  });
}

void KafkaZkClient::try_elect_controller(int32_t broker_id,
                                         std::function<void(ZkError, bool, int32_t, int32_t, int32_t)> done) {
  elect_attempt(*session_, broker_id, kRetries, std::move(done));
}

void KafkaZkClient::elect_attempt(Session& s, int32_t broker_id, int attempts,
                                  std::function<void(ZkError, bool, int32_t, int32_t, int32_t)> done) {
  s.get(
      str(paths::kController), {},
      [this, &s, broker_id, attempts, done = std::move(done)](ZkError e, std::string data, Stat st) mutable {
        if (e == ZkError::ok) {
          auto info = decode_controller_info(data);
          if (!info) {
            log_bad_json(paths::kController, info.error());
            return done(ZkError::other, false, -1, -1, -1);
          }
          // Ours from this very session: our earlier attempt won but its response was lost.
          bool mine = info->broker_id == broker_id && st.ephemeral_owner == s.session_id();
          int32_t id = info->broker_id;
          return read_controller_epoch(
              s, [mine, id, done = std::move(done)](ZkError ee, int32_t epoch, int32_t version) {
                done(ee, mine, id, epoch, version);
              });
        }
        if (e != ZkError::no_node) return done(e, false, -1, -1, -1);
        read_controller_epoch(s, [this, &s, broker_id, attempts, done = std::move(done)](
                                     ZkError ee, int32_t epoch, int32_t version) mutable {
          if (ee != ZkError::ok) return done(ee, false, -1, -1, -1);
          std::vector<Op> ops = {
              Op::create(str(paths::kController), encode(ControllerInfo{broker_id, now_ms()}),
                         CreateMode::ephemeral),
              Op::set(str(paths::kControllerEpoch), encode_controller_epoch(epoch + 1), version)};
          s.multi_results(std::move(ops), [this, &s, broker_id, attempts, epoch, done = std::move(done)](
                                              ZkError me, std::vector<OpResult> results) mutable {
            if (me == ZkError::ok)
              return done(ZkError::ok, true, broker_id, epoch + 1, results[1].stat.version);
            bool lost_race = me == ZkError::node_exists || me == ZkError::bad_version;
            if (!lost_race || attempts <= 0) return done(me, false, -1, -1, -1);
            elect_attempt(s, broker_id, attempts - 1, std::move(done));  // re-read who won
          });
        });
      });
}

void KafkaZkClient::watch_controller(Watcher w, std::function<void(ZkError, std::optional<int32_t>)> done) {
  Session& s = *session_;
  s.exists(str(paths::kController), std::move(w), [&s, done = std::move(done)](ZkError e, Stat) mutable {
    if (e == ZkError::no_node) return done(ZkError::ok, std::nullopt);
    if (e != ZkError::ok) return done(e, std::nullopt);
    s.get(str(paths::kController), {}, [done = std::move(done)](ZkError ge, std::string data, Stat) {
      if (ge == ZkError::no_node) return done(ZkError::ok, std::nullopt);  // gone meanwhile; the watch fires
      if (ge != ZkError::ok) return done(ge, std::nullopt);
      auto info = decode_controller_info(data);
      if (!info) {
        log_bad_json(paths::kController, info.error());
        return done(ZkError::other, std::nullopt);
      }
      done(ZkError::ok, info->broker_id);
    });
  });
}

// ---- brokers and topics ------------------------------------------------------------------------------

void KafkaZkClient::get_broker_ids(Watcher w, std::function<void(ZkError, std::vector<int32_t>)> done) {
  session_->get_children(
      str(paths::kBrokerIds), std::move(w),
      [done = std::move(done)](ZkError e, std::vector<std::string> names) { done(e, parse_ids(names)); });
}

void KafkaZkClient::get_broker(int32_t id, std::function<void(ZkError, BrokerRegistration, Stat)> done) {
  auto path = paths::broker_id_path(id);
  session_->get(path, {}, [id, path, done = std::move(done)](ZkError e, std::string data, Stat st) {
    if (e != ZkError::ok) return done(e, {}, st);
    auto reg = decode_broker_registration(data, id);
    if (!reg) log_bad_json(path, reg.error());
    done(reg ? ZkError::ok : ZkError::other, reg ? *reg : BrokerRegistration{}, st);
  });
}

void KafkaZkClient::get_topics(Watcher w, std::function<void(ZkError, std::vector<std::string>)> done) {
  session_->get_children(str(paths::kBrokerTopics), std::move(w),
                         [done = std::move(done)](ZkError e, std::vector<std::string> names) {
                           std::sort(names.begin(), names.end());
                           done(e, std::move(names));
                         });
}

void KafkaZkClient::get_topic_assignment(const std::string& topic, Watcher w,
                                         std::function<void(ZkError, TopicAssignment)> done) {
  auto path = paths::topic_path(topic);
  session_->get(path, std::move(w), [path, done = std::move(done)](ZkError e, std::string data, Stat) {
    if (e != ZkError::ok) return done(e, {});
    auto a = decode_topic_assignment(data);
    if (!a) log_bad_json(path, a.error());
    done(a ? ZkError::ok : ZkError::other, a ? *a : TopicAssignment{});
  });
}

void KafkaZkClient::get_topic_config(const std::string& topic,
                                     std::function<void(ZkError, std::map<std::string, std::string>)> done) {
  auto path = paths::topic_config_path(topic);
  session_->get(path, {}, [path, done = std::move(done)](ZkError e, std::string data, Stat) {
    if (e == ZkError::no_node) return done(ZkError::ok, {});
    if (e != ZkError::ok) return done(e, {});
    if (data.empty()) return done(ZkError::ok, {});
    auto config = decode_topic_config(data);
    if (!config) log_bad_json(path, config.error());
    done(config ? ZkError::ok : ZkError::other, config ? *config : std::map<std::string, std::string>{});
  });
}

void KafkaZkClient::create_topic(const std::string& topic, const TopicAssignment& a,
                                 const std::map<std::string, std::string>& config,
                                 std::function<void(ZkError)> done) {
  Session& s = *session_;
  auto path = paths::topic_path(topic);
  s.exists(path, {},
           [&s, topic, path, json = encode(a), config_json = encode_topic_config(config),
            done = std::move(done)](ZkError e, Stat) mutable {
             if (e == ZkError::ok) return done(ZkError::node_exists);
             if (e != ZkError::no_node) return done(e);
             write_config(
                 s, paths::topic_config_path(topic), config_json,
                 [&s, path, json, done = std::move(done)](ZkError ce) mutable {
                   if (ce != ZkError::ok) return done(ce);
                   s.create(path, json, CreateMode::persistent,
                            [&s, path, json, done = std::move(done)](ZkError te, std::string, Stat) mutable {
                              if (te != ZkError::no_node) return done(te);
                              s.create_recursive(path, json, std::move(done));  // /brokers/topics missing
                            });
                 });
           });
}

void KafkaZkClient::set_topic_assignment(const std::string& topic, const TopicAssignment& a,
                                         int32_t expected_version, std::function<void(ZkError)> done) {
  session_->set(paths::topic_path(topic), encode(a), expected_version,
                [done = std::move(done)](ZkError e, Stat) { done(e); });
}

void KafkaZkClient::set_topic_config(const std::string& topic,
                                     const std::map<std::string, std::string>& config,
                                     std::function<void(ZkError)> done) {
  write_config(*session_, paths::topic_config_path(topic), encode_topic_config(config), std::move(done));
}

// ---- partition state ---------------------------------------------------------------------------------

void KafkaZkClient::create_partition_states(const std::string& topic,
                                            const std::map<int32_t, PartitionState>& states,
                                            int32_t epoch_zk_version, std::function<void(ZkError)> done) {
  Session& s = *session_;
  if (states.empty()) return post(s, [done = std::move(done)] { done(ZkError::ok); });
  auto join = std::make_shared<Join>(Join{states.size(), ZkError::ok, std::move(done)});
  for (const auto& [p, state] : states) {
    auto state_path = paths::partition_state_path(topic, p);
    s.create_recursive(paths::partition_path(topic, p), {},
                       [&s, join, state_path, json = encode(state), epoch_zk_version](ZkError e) {
                         if (e != ZkError::ok && e != ZkError::node_exists) return join->arrive(e);
                         bool fenced = epoch_zk_version >= 0;
                         s.multi_results(fence(epoch_zk_version, {Op::create(state_path, json)}),
                                         [join, fenced](ZkError me, std::vector<OpResult> results) {
                                           join->arrive(fenced_result(me, results, fenced));
                                         });
                       });
  }
}

void KafkaZkClient::get_partition_state(const std::string& topic, int32_t partition, Watcher w,
                                        std::function<void(ZkError, PartitionState, int32_t)> done) {
  auto path = paths::partition_state_path(topic, partition);
  session_->get(path, std::move(w), [path, done = std::move(done)](ZkError e, std::string data, Stat st) {
    if (e != ZkError::ok) return done(e, {}, -1);
    auto state = decode_partition_state(data);
    if (!state) log_bad_json(path, state.error());
    done(state ? ZkError::ok : ZkError::other, state ? *state : PartitionState{}, st.version);
  });
}

void KafkaZkClient::update_partition_state(const std::string& topic, int32_t partition,
                                           const PartitionState& state, int32_t expected_zk_version,
                                           int32_t epoch_zk_version,
                                           std::function<void(ZkError, int32_t)> done) {
  bool fenced = epoch_zk_version >= 0;
  auto ops =
      fence(epoch_zk_version,
            {Op::set(paths::partition_state_path(topic, partition), encode(state), expected_zk_version)});
  session_->multi_results(std::move(ops),
                          [fenced, done = std::move(done)](ZkError e, std::vector<OpResult> results) {
                            if (e != ZkError::ok) return done(fenced_result(e, results, fenced), -1);
                            done(ZkError::ok, results.back().stat.version);
                          });
}

// ---- topic deletion ----------------------------------------------------------------------------------

void KafkaZkClient::mark_topic_for_deletion(const std::string& topic, std::function<void(ZkError)> done) {
  Session& s = *session_;
  auto path = paths::delete_topic_path(topic);
  s.create(path, {}, CreateMode::persistent,
           [&s, path, done = std::move(done)](ZkError e, std::string, Stat) mutable {
             if (e != ZkError::no_node) return done(e);
             s.create_recursive(path, {}, std::move(done));
           });
}

void KafkaZkClient::get_topics_marked_for_deletion(
    Watcher w, std::function<void(ZkError, std::vector<std::string>)> done) {
  session_->get_children(str(paths::kDeleteTopics), std::move(w),
                         [done = std::move(done)](ZkError e, std::vector<std::string> names) {
                           std::sort(names.begin(), names.end());
                           done(e, std::move(names));
                         });
}

void KafkaZkClient::delete_topic(const std::string& topic, int32_t epoch_zk_version,
                                 std::function<void(ZkError)> done) {
  delete_topic_attempt(*session_, topic, epoch_zk_version, kRetries, std::move(done));
}

void KafkaZkClient::delete_topic_attempt(Session& s, std::string topic, int32_t epoch_zk_version,
                                         int attempts, std::function<void(ZkError)> done) {
  collect_tree(s, paths::topic_path(topic),
               [this, &s, topic, epoch_zk_version, attempts, done = std::move(done)](
                   ZkError e, std::vector<std::string> nodes) mutable {
                 if (e != ZkError::ok) return done(e);
                 auto extra = std::make_shared<std::vector<std::string>>(std::move(nodes));
                 auto join = std::make_shared<Join>(Join{2, ZkError::ok, nullptr});
                 join->done = [this, &s, topic, epoch_zk_version, attempts, extra,
                               done = std::move(done)](ZkError je) mutable {
                   if (je != ZkError::ok) return done(je);
                   if (extra->empty()) return post(s, [done = std::move(done)] { done(ZkError::ok); });
                   std::vector<Op> ops;
                   for (const auto& p : *extra) ops.push_back(Op::remove(p, -1));
                   bool fenced = epoch_zk_version >= 0;
                   s.multi_results(
                       fence(epoch_zk_version, std::move(ops)),
                       [this, &s, topic, epoch_zk_version, attempts, fenced, done = std::move(done)](
                           ZkError me, std::vector<OpResult> results) mutable {
                         ZkError result = fenced_result(me, results, fenced);
                         bool raced = result == ZkError::no_node || result == ZkError::not_empty;
                         if (raced && attempts > 0) {
                           return delete_topic_attempt(s, topic, epoch_zk_version, attempts - 1,
                                                       std::move(done));
                         }
                         done(result);
                       });
                 };
                 for (auto path : {paths::topic_config_path(topic), paths::delete_topic_path(topic)}) {
                   s.exists(path, {}, [join, extra, path](ZkError xe, Stat) {
                     if (xe == ZkError::ok) extra->push_back(path);
                     join->arrive(xe == ZkError::no_node ? ZkError::ok : xe);
                   });
                 }
               });
}

// ---- producer ids, ISR change notifications ----------------------------------------------------------

void KafkaZkClient::allocate_producer_id_block(int32_t broker_id,
                                               std::function<void(ZkError, ProducerIdBlock)> done) {
  allocate_attempt(*session_, broker_id, 100, std::move(done));
}

void KafkaZkClient::allocate_attempt(Session& s, int32_t broker_id, int attempts,
                                     std::function<void(ZkError, ProducerIdBlock)> done) {
  auto path = str(paths::kLatestProducerIdBlock);
  s.get(path, {},
        [this, &s, path, broker_id, attempts, done = std::move(done)](ZkError e, std::string data,
                                                                      Stat st) mutable {
          if (e == ZkError::no_node && attempts > 0) {
            return s.create_recursive(
                path, {}, [this, &s, broker_id, attempts, done = std::move(done)](ZkError ce) mutable {
                  if (ce != ZkError::ok && ce != ZkError::node_exists) return done(ce, {});
                  allocate_attempt(s, broker_id, attempts - 1, std::move(done));
                });
          }
          if (e != ZkError::ok) return done(e, {});
          ProducerIdBlock next{broker_id, 0, kProducerIdBlockSize - 1};
          if (!data.empty()) {
            auto prev = decode_producer_id_block(data);
            if (!prev) {
              log_bad_json(path, prev.error());
              return done(ZkError::other, {});
            }
            if (prev->block_end > std::numeric_limits<int64_t>::max() - kProducerIdBlockSize) {
              logger()->error("producer ids exhausted: last block ends at {}", prev->block_end);
              return done(ZkError::other, {});
            }
            next = ProducerIdBlock{broker_id, prev->block_end + 1, prev->block_end + kProducerIdBlockSize};
          }
          s.set(path, encode(next), st.version,
                [this, &s, broker_id, attempts, next, done = std::move(done)](ZkError se, Stat) mutable {
                  if (se == ZkError::bad_version && attempts > 0) {  // another broker took this block
                    return allocate_attempt(s, broker_id, attempts - 1, std::move(done));
                  }
                  done(se, se == ZkError::ok ? next : ProducerIdBlock{});
                });
        });
}

void KafkaZkClient::create_isr_change_notification(
    const std::vector<std::pair<std::string, int32_t>>& partitions, std::function<void(ZkError)> done) {
  Session& s = *session_;
  auto json = encode_isr_change_notification(partitions);
  s.create(str(paths::kIsrChangePrefix), json, CreateMode::persistent_sequential,
           [&s, json, done = std::move(done)](ZkError e, std::string, Stat) mutable {
             if (e != ZkError::no_node) return done(e);
             s.create_recursive(str(paths::kIsrChangeNotification), {},
                                [&s, json, done = std::move(done)](ZkError ce) mutable {
                                  if (ce != ZkError::ok && ce != ZkError::node_exists) return done(ce);
                                  s.create(
                                      str(paths::kIsrChangePrefix), json, CreateMode::persistent_sequential,
                                      [done = std::move(done)](ZkError e2, std::string, Stat) { done(e2); });
                                });
           });
}

// ---- controller reads and fenced deletions ----------------------------------------------------------

void KafkaZkClient::get_all_brokers_and_epochs(Watcher w,
                                               std::function<void(ZkError, std::map<int32_t, BrokerAndEpoch>)> done) {
  get_broker_ids(std::move(w), [this, done = std::move(done)](ZkError e, std::vector<int32_t> ids) mutable {
    if (e != ZkError::ok) return done(e, {});
    if (ids.empty()) return post(*session_, [done = std::move(done)] { done(ZkError::ok, {}); });
    struct Gather {
      std::map<int32_t, BrokerAndEpoch> brokers;
      size_t left;
      ZkError first = ZkError::ok;
      std::function<void(ZkError, std::map<int32_t, BrokerAndEpoch>)> done;
    };
    auto g = std::make_shared<Gather>(Gather{{}, ids.size(), ZkError::ok, std::move(done)});
    for (int32_t id : ids) {
      get_broker(id, [g, id](ZkError ge, BrokerRegistration reg, Stat st) {
        if (ge == ZkError::ok) {
          g->brokers[id] = BrokerAndEpoch{std::move(reg), st.czxid};
        } else if (ge != ZkError::no_node && g->first == ZkError::ok) {
          g->first = ge;
        }
        if (--g->left == 0) g->done(g->first, std::move(g->brokers));
      });
    }
  });
}

void KafkaZkClient::get_partition_state_stat(const std::string& topic, int32_t partition,
                                             std::function<void(ZkError, PartitionState, Stat)> done) {
  auto path = paths::partition_state_path(topic, partition);
  session_->get(path, {}, [path, done = std::move(done)](ZkError e, std::string data, Stat st) {
    if (e != ZkError::ok) return done(e, {}, st);
    auto state = decode_partition_state(data);
    if (!state) log_bad_json(path, state.error());
    done(state ? ZkError::ok : ZkError::other, state ? *state : PartitionState{}, st);
  });
}

void KafkaZkClient::get_isr_change_notifications(Watcher w,
                                                 std::function<void(ZkError, std::vector<std::string>)> done) {
  session_->get_children(str(paths::kIsrChangeNotification), std::move(w),
                         [done = std::move(done)](ZkError e, std::vector<std::string> names) {
                           std::sort(names.begin(), names.end());  // zero-padded sequence numbers
                           done(e, std::move(names));
                         });
}

void KafkaZkClient::get_isr_change_notification(
    const std::string& name, std::function<void(ZkError, std::vector<std::pair<std::string, int32_t>>)> done) {
  auto path = str(paths::kIsrChangeNotification) + "/" + name;
  session_->get(path, {}, [path, done = std::move(done)](ZkError e, std::string data, Stat) {
    if (e != ZkError::ok) return done(e, {});
    auto partitions = decode_isr_change_notification(data);
    if (!partitions) log_bad_json(path, partitions.error());
    done(partitions ? ZkError::ok : ZkError::other,
         partitions ? *partitions : std::vector<std::pair<std::string, int32_t>>{});
  });
}

void KafkaZkClient::fenced_remove(const std::string& path, int32_t epoch_zk_version,
                                  std::function<void(ZkError)> done) {
  bool fenced = epoch_zk_version >= 0;
  session_->multi_results(fence(epoch_zk_version, {Op::remove(path, -1)}),
                          [fenced, done = std::move(done)](ZkError e, std::vector<OpResult> results) {
                            ZkError r = fenced_result(e, results, fenced);
                            done(r == ZkError::no_node ? ZkError::ok : r);
                          });
}

void KafkaZkClient::delete_isr_change_notifications(const std::vector<std::string>& names, int32_t epoch_zk_version,
                                                    std::function<void(ZkError)> done) {
  if (names.empty()) return post(*session_, [done = std::move(done)] { done(ZkError::ok); });
  auto join = std::make_shared<Join>(Join{names.size(), ZkError::ok, std::move(done)});
  for (const auto& n : names) {
    fenced_remove(str(paths::kIsrChangeNotification) + "/" + n, epoch_zk_version,
                  [join](ZkError e) { join->arrive(e); });
  }
}

void KafkaZkClient::delete_topic_deletion_marker(const std::string& topic, int32_t epoch_zk_version,
                                                 std::function<void(ZkError)> done) {
  fenced_remove(paths::delete_topic_path(topic), epoch_zk_version, std::move(done));
}

void KafkaZkClient::get_preferred_replica_election(
    Watcher w, std::function<void(ZkError, std::optional<std::vector<std::pair<std::string, int32_t>>>)> done) {
  Session& s = *session_;
  auto path = str(paths::kPreferredReplicaElection);
  s.exists(path, std::move(w), [&s, path, done = std::move(done)](ZkError e, Stat) mutable {
    if (e == ZkError::no_node) return done(ZkError::ok, std::nullopt);
    if (e != ZkError::ok) return done(e, std::nullopt);
    s.get(path, {}, [path, done = std::move(done)](ZkError ge, std::string data, Stat) {
      if (ge == ZkError::no_node) return done(ZkError::ok, std::nullopt);
      if (ge != ZkError::ok) return done(ge, std::nullopt);
      // Same shape as an ISR change notification: {"version":1,"partitions":[{"topic":..,"partition":..}]}.
      auto partitions = decode_isr_change_notification(data);
      if (!partitions) {
        log_bad_json(path, partitions.error());
        return done(ZkError::other, std::vector<std::pair<std::string, int32_t>>{});
      }
      done(ZkError::ok, *partitions);
    });
  });
}

void KafkaZkClient::delete_preferred_replica_election(int32_t epoch_zk_version, std::function<void(ZkError)> done) {
  fenced_remove(str(paths::kPreferredReplicaElection), epoch_zk_version, std::move(done));
}

void KafkaZkClient::delete_controller(int32_t epoch_zk_version, std::function<void(ZkError)> done) {
  fenced_remove(str(paths::kController), epoch_zk_version, std::move(done));
}

}  // namespace gregor::zk
