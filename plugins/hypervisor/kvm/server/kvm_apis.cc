#include "kvm_apis.h"

#include <optional>

#include <strato/handler_util.h>

#include "kvm_drivers.h"

namespace strato::kvm {
namespace {

strato::ApiDeclaration kvmApi(const char* name, const char* inventory) {
  ApiDeclaration decl;
  decl.name = name;
  decl.messageType = std::string("kvm.") + name;
  decl.inventory = inventory;
  decl.adminOnly = true;
  return decl;
}

Result<std::optional<int>> sshPortParam(const Json& p) {
  if (!p.contains("sshPort") || p["sshPort"].is_null()) return std::optional<int>();
  const Json& v = p["sshPort"];
  if (!v.is_number_integer() || v.get<std::int64_t>() < 1 || v.get<std::int64_t>() > 65535) {
    return invalidArgument("sshPort must be a TCP port, 1-65535", v.dump());
  }
  return std::optional<int>(v.get<int>());
}

// Hands the request on to another handler (the host plugin's) and replies with its answer.
void forward(MessageBus& bus, std::string type, Json body, std::shared_ptr<Replier> reply,
             std::function<void()> onFailure = {}) {
  bus.request({std::move(type), "", std::move(body)},
              [reply, onFailure = std::move(onFailure)](Reply r) {
                if (!r && onFailure) onFailure();
                (*reply)(std::move(r));
              });
}

void addKvmHost(MessageBus& bus, KvmHostStore& store, int agentPort, const Message& m,
                std::shared_ptr<Replier> reply) {
  const Json& p = m.body["params"];
  auto port = sshPortParam(p);
  if (!port) return (*reply)(port.error());
  KvmCredentials creds{textParam(p, "username"), textParam(p, "password"), port->value_or(22), ""};
  if (creds.username.empty() || creds.password.empty()) {
    return (*reply)(invalidArgument("a KVM host needs an SSH username and password"));
  }
  std::string uuid = textParam(p, "resourceUuid");
  if (uuid.empty()) uuid = newUuid();
  if (!isUuid(uuid)) return (*reply)(invalidArgument("resourceUuid must be 32 hex digits", uuid));
  if (auto st = store.insert(uuid, creds); !st) {
    return (*reply)(makeError(ErrorCode::kAlreadyExists, "resourceUuid is taken",
                              uuid + ": " + st.error().message));
  }
  Json spec{{"uuid", uuid},
            {"name", p.value("name", "")},
            {"managementIp", p.value("managementIp", "")},
            {"clusterUuid", p.value("clusterUuid", "")},
            {"hypervisorType", std::string(kType)},
            // Not secret, and what storage plugins need to reach the host's agent.
            {"extra", Json{{"agentPort", agentPort}}}};
  if (p.contains("description")) spec["description"] = p["description"];
  Json body{{"spec", spec}, {"session", m.body.value("session", Json())}};
  if (p.contains("systemTags")) body["systemTags"] = p["systemTags"];
  // A refused add leaves no row behind, here either.
  forward(bus, std::string(kAddHostMessage), body, reply, [&bus, &store, uuid] {
    bus.postBlocking([&store, uuid] { (void)store.remove(uuid); });
  });
}

void updateKvmHost(MessageBus& bus, KvmHostStore& store, const Message& m,
                   std::shared_ptr<Replier> reply) {
  const Json& p = m.body["params"];
  std::string uuid = textParam(p, "uuid");
  auto port = sshPortParam(p);
  if (!port) return (*reply)(port.error());
  auto optionalText = [&](const char* key) -> std::optional<std::string> {
    if (!p.contains(key) || !p[key].is_string()) return std::nullopt;
    return p[key].get<std::string>();
  };
  auto username = optionalText("username");
  auto password = optionalText("password");
  if ((username && username->empty()) || (password && password->empty())) {
    return (*reply)(invalidArgument("username and password may not be empty"));
  }
  if (auto known = store.get(uuid); !known) {
    return (*reply)(invalidArgument("uuid names no KVM host", uuid));
  }
  Json params{{"uuid", uuid}};
  for (const char* key : {"name", "description", "managementIp"}) {
    if (p.contains(key)) params[key] = p[key];
  }
  // The host plugin checks its fields first; only then do the credentials change, so a refused
  // update changes nothing. Not queued on the host: this call already is.
  Json body{{"api", "UpdateHost"}, {"params", params}, {"session", m.body.value("session", Json())}};
  bus.request({"host.UpdateHost", "", body},
              [&bus, &store, uuid, username, password, port = *port, reply](Reply updated) {
                if (!updated) return (*reply)(std::move(updated));
                bus.postBlocking([&store, uuid, username, password, port, reply, updated] {
                  auto st = store.update(uuid, username, password, port);
                  (*reply)(st ? updated : Reply(st.error()));
                });
              });
}

Reply runShell(const KvmAgents& agents, const Json& p) {
  std::string script = textParam(p, "script");
  if (script.empty()) return invalidArgument("script may not be empty");
  auto hosts = stringListParam(p, "hostUuids");
  if (hosts.empty()) return invalidArgument("hostUuids names no host");
  Json out = Json::object();
  for (const auto& uuid : hosts) {
    auto host = agents.host(uuid);
    Result<Json> ran = host ? agents.runShell(host->managementIp, host->credentials, script)
                            : Result<Json>(host.error());
    if (ran) {
      (*ran)["errorCode"] = Json::object();
      out[uuid] = *ran;
    } else {
      out[uuid] = Json{{"returnCode", -1},
                       {"errorCode",
                        {{"code", std::string(toString(ran.error().code))},
                         {"description", ran.error().message},
                         {"details", ran.error().details}}}};
    }
  }
  return Json{{"inventory", out}};
}

}  // namespace

void registerKvmApis(Registrar& r, std::shared_ptr<KvmAgents> agents,
                     std::shared_ptr<KvmHostStore> store) {
  auto& bus = r.bus();
  int agentPort = agents->settings().agentPort;
  auto add = kvmApi("AddKVMHost", "Host");
  r.addApi(add);
  // The credentials row is written first (blocking), then the host plugin takes over.
  r.handle(add.messageType, [&bus, store, agentPort](Message m, Replier reply) {
    auto shared = std::make_shared<Replier>(std::move(reply));
    bus.postBlocking([&bus, store, agentPort, m = std::move(m), shared] {
      addKvmHost(bus, *store, agentPort, m, shared);
    });
  });
  auto update = kvmApi("UpdateKVMHost", "Host");
  r.addApi(update);
  r.handle(update.messageType, [&bus, store](Message m, Replier reply) {
    auto shared = std::make_shared<Replier>(std::move(reply));
    bus.postBlocking(
        [&bus, store, m = std::move(m), shared] { updateKvmHost(bus, *store, m, shared); });
  });
  auto shell = kvmApi("KvmRunShell", "");
  // The manual's hostUuids is a Set, which our catalog copy flattened to a String.
  shell.params = {{"hostUuids", ParamType::kList, true},
                  {"script", ParamType::kString, true},
                  {"systemTags", ParamType::kList, false},
                  {"userTags", ParamType::kList, false}};
  r.addApi(shell);
  r.handle(shell.messageType, blockingHandler(bus, [agents](const Message& m) {
             return runShell(*agents, m.body["params"]);
           }));
}

}  // namespace strato::kvm
