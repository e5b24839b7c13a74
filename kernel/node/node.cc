#include "node/node.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "bus/asio_bus.h"
#include "db/database_url.h"
#include "db/migrator.h"
#include "db/poco_database.h"
#include "http/http_server.h"
#include "log/logging.h"
#include "node/health.h"
#include "node/node_state.h"
#include "node/remote_messages.h"
#include "schema/kernel_schema.h"
#include "strato/uuid.h"
#include "strato/version.h"

namespace strato::kernel {

std::string_view toString(NodeRole role) { return role == NodeRole::kServer ? "server" : "agent"; }

std::vector<std::string> roleDefaults(NodeRole role) {
  if (role == NodeRole::kServer) return {"node.role=server"};
  return {"node.role=agent", "http.port=7070", "plugins.dirs=${exeDir}/../lib/strato/agent-plugins",
          "database.url=sqlite:var/agent.db"};
}

namespace {

Status openDatabaseFor(Node::State& s) {
  auto url = parseDatabaseUrl(s.config.str("database.url"));
  if (!url) return url.error();
  auto db = openDatabase({*url, static_cast<int>(s.config.integer("database.poolSize")),
                          static_cast<int>(s.config.integer("database.busyTimeoutMs"))});
  if (!db) return db.error();
  s.database = std::move(db.value());
  s.log->info(fmt::format("database open url={}", url->redacted()));
  return {};
}

// The kernel's schema and APIs go in before any plugin, so a plugin cannot take their names.
Status declareKernelApis(Node::State& s) {
  if (s.role != NodeRole::kServer) return {};
  s.nodeUuid = newUuid();
  if (auto st = declareKernelSchema(s.inventories, s.globalConfigs); !st) return st;
  s.system.reset(new SystemApiServices{*s.bus,
                                       *s.database,
                                       s.globalConfigs,
                                       s.inventories,
                                       s.extensions,
                                       s.progress,
                                       s.nodeUuid,
                                       [&s] { return s.rest.get(); },
                                       {}});
  auto apis = registerSystemApis(*s.system);
  if (!apis) return apis.error();
  return s.apis.addAll(*apis, "kernel");
}

Status loadPlugins(Node::State& s) {
  s.loader =
      std::make_unique<PluginLoader>(KernelServices{*s.bus, s.config, *s.database, s.extensions,
                                                    s.apis, s.inventories, s.globalConfigs},
                                     s.contributions);
  auto report =
      s.loader->loadAll(s.config.getList("plugins.dirs"), s.config.getList("plugins.files"));
  for (const auto& required : s.config.getList("plugins.required")) {
    bool present = std::any_of(report.loaded.begin(), report.loaded.end(),
                               [&](const PluginInfo& p) { return p.name == required; });
    if (present) continue;
    std::string why;
    for (const auto& f : report.failed) {
      why += fmt::format("{}{}: {}: {}", why.empty() ? "" : "; ", f.path.string(), toString(f.kind),
                         f.reason);
    }
    return makeError(ErrorCode::kNotFound, "required plugin '" + required + "' is not loaded",
                     why.empty() ? "no plugin file declares that name" : why);
  }
  s.log->info(
      fmt::format("plugins loaded={} refused={}", report.loaded.size(), report.failed.size()));
  return {};
}

Status migrate(Node::State& s) {
  auto schemas = s.contributions.schemas;
  schemas.insert(schemas.begin(), {"kernel", kernelMigrations()});
  for (const auto& schema : schemas) {
    auto report = applyMigrations(*s.database, schema.component, schema.migrations);
    if (!report) return report.error();
    if (report->from != report->to) {
      s.log->info(fmt::format("schema migrated component={} from={} to={}", schema.component,
                              report->from, report->to));
    }
  }
  return {};
}

// Needs the migrated tables: global config values and the job table.
Status startRest(Node::State& s) {
  if (auto st = s.inventories.checkRelations(); !st) return st;
  if (auto st = s.globalConfigs.load(*s.database); !st) return st;
  if (s.role != NodeRole::kServer) return {};
  s.rest = std::make_unique<RestFrontEnd>(
      RestServices{*s.bus, *s.database, s.extensions, s.globalConfigs, s.inventories},
      s.apis.all());
  return s.rest->start();
}

Status runStartHooks(Node::State& s) {
  s.startPhaseReached = true;
  for (const auto& hook : s.contributions.startHooks) {
    Status status;
    try {
      status = hook.run();
    } catch (const std::exception& e) {
      status = makeError(ErrorCode::kInternal, "start hook threw", e.what());
    }
    if (!status) {
      Error e = status.error();
      e.message = "plugin " + hook.plugin + " failed to start: " + e.message;
      return e;
    }
    ++s.startedHooks;
  }
  return {};
}

Status startHttp(Node::State& s) {
  HttpServerOptions options{s.config.str("http.host"),
                            static_cast<int>(s.config.integer("http.port")),
                            static_cast<int>(s.config.integer("http.threads")),
                            static_cast<std::size_t>(s.config.integer("http.maxBodyBytes"))};
  HttpHandler handler = makeHealthHandler(s);
  if (s.rest) {
    handler = [health = std::move(handler), rest = s.rest.get()](const HttpRequest& request) {
      return request.path == "/health" ? health(request) : rest->handle(request);
    };
  }
  handler = makeRemoteMessageHandler(*s.bus, std::move(handler));
  auto server = HttpServer::start(options, std::move(handler));
  if (!server) return server.error();
  s.http = std::move(server.value());
  s.log->info(fmt::format("listening role={} address={}:{}", toString(s.role), options.host,
                          s.http->port()));
  if (s.rest) {
    s.rest->setAdvertisedAddress(fmt::format("{}:{}", options.host, s.http->port()));
    s.system->listening.set(options.host, s.http->port());
    s.record = std::make_unique<ManagementNodeRecord>(*s.database);
    if (auto st = s.record->join(s.nodeUuid, options.host, s.http->port(), kSdkVersion); !st)
      return st;
  }
  if (auto file = s.config.str("http.portFile"); !file.empty()) {
    // Written whole, then renamed, so a reader never sees a partial number.
    std::string tmp = file + ".tmp";
    std::ofstream(tmp) << s.http->port() << "\n";
    std::error_code ec;
    std::filesystem::rename(tmp, file, ec);
    if (ec) return makeError(ErrorCode::kUnavailable, "cannot write " + file, ec.message());
  }
  return {};
}

}  // namespace

Node::Node(std::unique_ptr<State> state) : state_(std::move(state)) {}

Node::~Node() { stop(); }

Result<std::unique_ptr<Node>> Node::start(NodeRole role, ConfigStore config) {
  std::unique_ptr<State> state(new State{role, std::move(config)});
  State& s = *state;
  s.bus = std::make_unique<AsioBus>(
      AsioBus::Options{static_cast<unsigned>(s.config.integer("bus.workerThreads")),
                       static_cast<unsigned>(s.config.integer("bus.blockingThreads")),
                       std::chrono::milliseconds(s.config.integer("bus.defaultTimeoutMs")),
                       static_cast<unsigned>(s.config.integer("bus.blockingThreadsMax"))});
  // Node's destructor runs stop(), which undoes exactly the steps that happened.
  std::unique_ptr<Node> node(new Node(std::move(state)));
  for (auto step : {openDatabaseFor, declareKernelApis, loadPlugins, migrate, startRest,
                    runStartHooks, startHttp}) {
    if (Status status = step(*node->state_); !status) return status.error();
  }
  return node;
}

int Node::httpPort() const { return state_->http ? state_->http->port() : 0; }

const std::vector<PluginInfo>& Node::plugins() const { return state_->loader->loaded(); }

void Node::stop() {
  State& s = *state_;
  if (s.stopped) return;
  s.stopped = true;
  if (s.http) s.http->stop();
  if (s.record) s.record->leave();
  if (s.rest) s.rest->stop();
  // A plugin is stopped only if it was started: every start hook of it ran.
  auto started = [&](const std::string& plugin) {
    if (!s.startPhaseReached) return false;
    const auto& starts = s.contributions.startHooks;
    for (std::size_t i = s.startedHooks; i < starts.size(); ++i) {
      if (starts[i].plugin == plugin) return false;
    }
    return true;
  };
  auto& hooks = s.contributions.stopHooks;
  for (auto it = hooks.rbegin(); it != hooks.rend(); ++it) {
    if (!started(it->plugin)) continue;
    try {
      it->run();
    } catch (const std::exception& e) {
      s.log->error(fmt::format("stop hook threw plugin={} error=\"{}\"", it->plugin, e.what()));
    }
  }
  s.bus->shutdown();
  s.contributions.subscriptions.clear();
  s.log->info(fmt::format("stopped role={}", toString(s.role)));
}

}  // namespace strato::kernel
