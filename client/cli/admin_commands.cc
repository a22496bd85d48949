// `gregor topics ...` and `gregor cluster info`: Admin calls rendered as tables (Kafka/rpk layouts) or JSON.
#include <iostream>
#include <nlohmann/json.hpp>

#include "client/admin.h"
#include "client/cli/commands.h"
#include "client/cli/text_format.h"

namespace gregor::client::cli {

namespace {

using nlohmann::json;

bool want_json(const CliOptions& o) { return o.global.format == "json"; }

size_t replication_factor(const TopicInfo& t) {
  return t.partitions.empty() ? 0 : t.partitions[0].replicas.size();
}

json topic_json(const TopicInfo& t, const std::vector<ConfigEntry>* configs) {
  json parts = json::array();
  for (const auto& p : t.partitions) {
    json pj = {{"partition", p.partition}, {"leader", p.leader}, {"leader_epoch", p.leader_epoch},
               {"replicas", p.replicas},   {"isr", p.isr},       {"offline_replicas", p.offline_replicas}};
    if (p.error != ErrorCode::NONE) pj["error"] = std::string(to_string(p.error));
    parts.push_back(pj);
  }
  json j = {{"name", t.name},
            {"internal", t.internal},
            {"partition_count", t.partitions.size()},
            {"replication_factor", replication_factor(t)},
            {"partitions", parts}};
  if (configs != nullptr) {
    json c = json::object();
    for (const auto& e : *configs) {
      if (!e.is_default()) c[e.name] = e.value ? json(*e.value) : json(nullptr);
    }
    j["configs"] = c;
  }
  return j;
}

int topics_list(Admin& admin, const CliOptions& o) {
  auto md = admin.describe_cluster();
  if (!md) return fail(md.error());
  std::vector<std::vector<std::string>> rows;
  json out = json::array();
  for (const auto& [name, t] : md->topics) {
    if (t.internal && !o.topics.internal) continue;
    rows.push_back({name, std::to_string(t.partitions.size()), std::to_string(replication_factor(t))});
    out.push_back({{"name", name}, {"partitions", t.partitions.size()}, {"replicas", replication_factor(t)}});
  }
  if (want_json(o)) {
    std::cout << out.dump() << '\n';
  } else {
    print_table(std::cout, {"NAME", "PARTITIONS", "REPLICAS"}, rows);
  }
  return 0;
}

int topics_create(Admin& admin, const CliOptions& o) {
  NewTopic t{o.topics.topic, o.topics.partitions, o.topics.replication_factor, {}};
  for (const auto& kv : o.topics.configs) {
    auto parsed = parse_key_value(kv);
    if (!parsed) return fail(parsed.error());
    t.configs[parsed->first] = parsed->second;
  }
  auto r = admin.create_topic(t);
  if (!r && !(o.topics.if_not_exists && r.error().code == ErrorCode::TOPIC_ALREADY_EXISTS))
    return fail(r.error());
  // Wait until every partition has a leader, so a produce right after this succeeds at once.
  auto ready = admin.wait_for_topic(t.name, true, std::chrono::milliseconds(o.global.timeout_ms));
  if (!ready) return fail(ready.error());
  if (want_json(o)) {
    std::cout << json{{"topic", t.name}, {"created", r.has_value()}}.dump() << '\n';
  } else {
    std::cout << (r ? "Created topic " : "Topic exists already: ") << t.name << ".\n";
  }
  return 0;
}

int topics_describe(Admin& admin, const CliOptions& o) {
  std::vector<TopicInfo> topics;
  if (o.topics.topics.empty()) {
    auto md = admin.describe_cluster();
    if (!md) return fail(md.error());
    for (const auto& [name, t] : md->topics) {
      if (!t.internal) topics.push_back(t);
    }
  } else {
    auto r = admin.describe_topics(o.topics.topics);
    if (!r) return fail(r.error());
    topics = std::move(*r);
  }
  json out = json::array();
  for (const auto& t : topics) {
    auto configs = admin.describe_topic_configs(t.name);
    if (!configs) return fail(configs.error());
    if (want_json(o)) {
      out.push_back(topic_json(t, &*configs));
      continue;
    }
    std::string overrides;
    for (const auto& e : *configs) {
      if (e.is_default() || !e.value) continue;
      if (!overrides.empty()) overrides += ',';
      overrides += e.name + "=" + *e.value;
    }
    std::cout << "Topic: " << t.name << "\tPartitionCount: " << t.partitions.size()
              << "\tReplicationFactor: " << replication_factor(t) << "\tConfigs: " << overrides << '\n';
    for (const auto& p : t.partitions) {
      std::cout << "\tTopic: " << t.name << "\tPartition: " << p.partition
                << "\tLeader: " << (p.leader >= 0 ? std::to_string(p.leader) : "none")
                << "\tReplicas: " << join_ints(p.replicas) << "\tIsr: " << join_ints(p.isr);
      if (!p.offline_replicas.empty()) std::cout << "\tOffline: " << join_ints(p.offline_replicas);
      if (p.error != ErrorCode::NONE) std::cout << "\tError: " << to_string(p.error);
      std::cout << '\n';
    }
  }
  if (want_json(o)) std::cout << out.dump() << '\n';
  return 0;
}

int topics_delete(Admin& admin, const CliOptions& o) {
  auto r = admin.delete_topic(o.topics.topic);
  if (!r) {
    if (o.topics.if_exists && r.error().code == ErrorCode::UNKNOWN_TOPIC_OR_PARTITION) return 0;
    return fail(r.error());
  }
  if (want_json(o)) {
    std::cout << json{{"topic", o.topics.topic}, {"deleted", true}}.dump() << '\n';
  } else {
    std::cout << "Deleted topic " << o.topics.topic << ".\n";
  }
  return 0;
}

int topics_add_partitions(Admin& admin, const CliOptions& o) {
  auto r = admin.create_partitions(o.topics.topic, o.topics.partitions);
  if (!r) return fail(r.error());
  auto ready = admin.wait_for_topic(o.topics.topic, true, std::chrono::milliseconds(o.global.timeout_ms));
  if (!ready) return fail(ready.error());
  if (want_json(o)) {
    std::cout << json{{"topic", o.topics.topic}, {"partitions", o.topics.partitions}}.dump() << '\n';
  } else {
    std::cout << "Topic " << o.topics.topic << " now has " << o.topics.partitions << " partitions.\n";
  }
  return 0;
}

int topics_alter_config(Admin& admin, const CliOptions& o) {
  std::map<std::string, std::optional<std::string>> changes;
  for (const auto& kv : o.topics.set_configs) {
    auto parsed = parse_key_value(kv);
    if (!parsed) return fail(parsed.error());
    changes[parsed->first] = parsed->second;
  }
  for (const auto& k : o.topics.delete_configs) changes[k] = std::nullopt;
  if (changes.empty()) return fail("nothing to change: give --set key=value or --delete key");
  auto r = admin.alter_topic_configs(o.topics.topic, changes);
  if (!r) return fail(r.error());
  if (want_json(o)) {
    std::cout << json{{"topic", o.topics.topic}, {"altered", changes.size()}}.dump() << '\n';
  } else {
    std::cout << "Altered " << changes.size() << " config(s) of topic " << o.topics.topic << ".\n";
  }
  return 0;
}

}  // namespace

int run_topics(const CliOptions& o) {
  auto admin = Admin::create(client_config(o.global));
  if (!admin) return fail(admin.error());
  Admin& a = **admin;
  if (o.command == "topics list") return topics_list(a, o);
  if (o.command == "topics create") return topics_create(a, o);
  if (o.command == "topics describe") return topics_describe(a, o);
  if (o.command == "topics delete") return topics_delete(a, o);
  if (o.command == "topics add-partitions") return topics_add_partitions(a, o);
  if (o.command == "topics alter-config") return topics_alter_config(a, o);
  return fail("unknown command '" + o.command + "'");
}

int run_cluster_info(const CliOptions& o) {
  auto admin = Admin::create(client_config(o.global));
  if (!admin) return fail(admin.error());
  auto md = (*admin)->describe_cluster();
  if (!md) return fail(md.error());
  if (want_json(o)) {
    json brokers = json::array();
    for (const auto& [id, b] : md->brokers) {
      json bj = {{"id", id}, {"host", b.host}, {"port", b.port}, {"controller", id == md->controller_id}};
      if (b.rack) bj["rack"] = *b.rack;
      brokers.push_back(bj);
    }
    json topics = json::array();
    for (const auto& [name, t] : md->topics) {
      topics.push_back({{"name", name},
                        {"partitions", t.partitions.size()},
                        {"replicas", replication_factor(t)},
                        {"internal", t.internal}});
    }
    json out = {{"cluster_id", md->cluster_id ? json(*md->cluster_id) : json(nullptr)},
                {"controller_id", md->controller_id},
                {"brokers", brokers},
                {"topics", topics}};
    std::cout << out.dump() << '\n';
    return 0;
  }
  std::cout << "CLUSTER\n=======\n" << md->cluster_id.value_or("-") << "\n\n";
  std::cout << "BROKERS\n=======\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& [id, b] : md->brokers) {
    rows.push_back(
        {std::to_string(id) + (id == md->controller_id ? "*" : ""), b.host, std::to_string(b.port)});
  }
  print_table(std::cout, {"ID", "HOST", "PORT"}, rows);
  std::cout << "\nTOPICS\n======\n";
  rows.clear();
  for (const auto& [name, t] : md->topics) {
    rows.push_back({name, std::to_string(t.partitions.size()), std::to_string(replication_factor(t))});
  }
  print_table(std::cout, {"NAME", "PARTITIONS", "REPLICAS"}, rows);
  return 0;
}

}  // namespace gregor::client::cli
