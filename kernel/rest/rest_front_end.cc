#include "rest/rest_front_end.h"

#include <fmt/format.h>

#include <algorithm>
#include <mutex>

#include "globalconfig/global_config_store.h"
#include "log/logging.h"
#include "query/inventory_catalog.h"
#include "query/query_engine.h"
#include "query/query_request.h"
#include "rest/access_control.h"
#include "rest/api_params.h"
#include "rest/job_store.h"
#include "rest/rest_errors.h"
#include "rest/route_table.h"
#include "rest/webhook.h"
#include "rest/zstack_catalog.h"
#include "strato/time_format.h"
#include "strato/uuid.h"
#include "tags/tag_store.h"
#include "util/periodic_task.h"

namespace strato::kernel {
namespace {

constexpr std::string_view kJobPaths[] = {"/zstack/v1/api-jobs/", "/v1/api-jobs/"};

std::optional<HttpMethod> methodOf(const std::string& m) {
  if (m == "GET") return HttpMethod::kGet;
  if (m == "POST") return HttpMethod::kPost;
  if (m == "PUT") return HttpMethod::kPut;
  if (m == "DELETE") return HttpMethod::kDelete;
  return std::nullopt;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool bodyHasKey(const Json& body, std::string_view key) {
  if (!body.is_object()) return false;
  for (const auto& [k, v] : body.items()) {
    if (equalsIgnoreCase(k, key)) return true;
  }
  return false;
}

bool isQueryApi(const ApiDeclaration& api) {
  return api.messageType.empty() && !api.inventory.empty();
}

}  // namespace

struct RestFrontEnd::Impl {
  RestServices services;
  RouteTable routes;
  JobStore jobs;
  AccessControl access;
  std::shared_ptr<Logger> log = componentLogger("kernel.rest");
  std::string advertised = "127.0.0.1:8080";
  std::mutex advertisedMutex;

  PeriodicTask expirer;
  WebhookSender webhooks;

  Impl(RestServices s, std::vector<ApiDeclaration> implemented)
      : services(s),
        routes(implemented, zstackCatalog()),
        jobs(s.database),
        access(s.database, s.extensions, s.inventories) {}

  std::chrono::milliseconds apiTimeout() const {
    return std::chrono::milliseconds(services.globalConfigs.getInt("api", "timeout", 1800000));
  }

  std::string location(const HttpRequest* request, const std::string& jobUuid) {
    std::string host;
    if (request) {
      auto it = request->headers.find("host");
      if (it != request->headers.end()) host = it->second;
    }
    if (host.empty()) {
      std::lock_guard lock(advertisedMutex);
      host = advertised;
    }
    return "http://" + host + "/zstack/v1/api-jobs/" + jobUuid;
  }

  HttpResponse poll(const std::string& jobUuid, const HttpRequest& request) {
    auto result = jobs.poll(jobUuid);
    switch (result.state) {
      case JobStore::Poll::State::kUnknown:
        return errorResponse(404, ErrorCode::kNotFound, "no job " + jobUuid,
                             "the job does not exist or its result expired");
      case JobStore::Poll::State::kRunning:
        return jsonResponse(
            202, {{"location", location(&request, jobUuid)}, {"apiTimeout", apiTimeout().count()}});
      case JobStore::Poll::State::kDone: {
        HttpResponse r;
        r.status = result.success ? 200 : 503;
        r.body = std::move(result.body);
        return r;
      }
    }
    return errorResponse(500, ErrorCode::kInternal, "unreachable");
  }

  Result<std::optional<SessionInfo>> authenticate(const ApiDeclaration& api,
                                                  const HttpRequest& request) {
    if (!api.needsSession) return std::optional<SessionInfo>();
    auto header = request.headers.find("authorization");
    if (header == request.headers.end()) {
      return makeError(ErrorCode::kUnauthenticated, api.name + " needs a session",
                       "send 'Authorization: OAuth <session uuid>' (from LogInByAccount)");
    }
    std::string_view value = header->second;
    if (value.size() < 6 || !equalsIgnoreCase(value.substr(0, 6), "OAuth ")) {
      return makeError(ErrorCode::kUnauthenticated,
                       "the Authorization header must be 'OAuth <session uuid>'");
    }
    auto uuid = value.substr(6);
    while (!uuid.empty() && uuid.front() == ' ') uuid.remove_prefix(1);
    auto resolvers = services.extensions.all<SessionResolver>();
    if (resolvers.empty()) {
      return makeError(ErrorCode::kUnavailable, "no identity plugin is loaded to check sessions");
    }
    auto session = resolvers.front()->resolve(uuid);
    if (!session) return session.error();
    return std::optional<SessionInfo>(std::move(*session));
  }

  Message messageFor(const ApiDeclaration& api, const Json& params,
                     const std::optional<SessionInfo>& session, const std::string& jobUuid) {
    Message m;
    m.type = api.messageType;
    // Writes to one resource run one at a time; a read need not wait behind them.
    if (auto it = params.find("uuid");
        api.method != HttpMethod::kGet && it != params.end() && it->is_string()) {
      m.resourceUuid = *it;
    }
    m.body = Json{{"api", api.name},
                  {"params", params},
                  {"session", session ? session->toJson() : Json()},
                  {"jobUuid", jobUuid}};
    return m;
  }

  // Bookkeeping that follows a successful API: the owner of what it created, the request's tags
  // on it, or the traces of what it deleted.
  void afterSuccess(const ApiDeclaration& api, const std::optional<SessionInfo>& session,
                    const Json& params, const Json& reply) {
    if (auto s = access.recordOutcome(session, api, params, reply); !s) {
      log->error(fmt::format("ownership not recorded api={} error=\"{}\"", api.name,
                             s.error().describe()));
    }
    if (api.inventory.empty() || !reply.is_object()) return;
    auto inventory = reply.find("inventory");
    if (inventory == reply.end() || !inventory->is_object() || !inventory->contains("uuid")) return;
    if (auto s = attachRequestTags(services.database, api.inventory + "VO",
                                   inventory->value("uuid", ""), params);
        !s) {
      log->warn(
          fmt::format("tags not attached api={} error=\"{}\"", api.name, s.error().describe()));
    }
  }

  void runAsync(const ApiDeclaration& api, Json params, std::optional<SessionInfo> session,
                const std::string& jobUuid, const std::string& webHook,
                std::function<void(const Reply&)> done) {
    auto message = messageFor(api, params, session, jobUuid);
    services.bus.request(
        std::move(message),
        [this, &api, params = std::move(params), session, jobUuid, webHook,
         done = std::move(done)](Reply reply) mutable {
          // Storing the result and calling the webhook block: leave the bus worker.
          services.bus.postBlocking([this, &api, params = std::move(params), session, jobUuid,
                                     webHook, done = std::move(done), reply = std::move(reply)]() {
            bool ok = reply.ok();
            Json body = ok ? (reply.value().is_object() ? reply.value() : Json::object())
                           : errorBody(reply.error());
            if (ok) afterSuccess(api, session, params, body);
            if (auto s = jobs.finish(jobUuid, ok, body); !s) {
              log->error(fmt::format("job result not stored job={} error=\"{}\"", jobUuid,
                                     s.error().describe()));
            }
            if (done) done(reply);
            if (!webHook.empty()) webhooks.send({webHook, jobUuid, ok, body.dump()});
          });
        },
        apiTimeout());
  }

  HttpResponse runQuery(const ApiDeclaration& api, const std::optional<SessionInfo>& session,
                        const std::map<std::string, std::string>& variables,
                        const QueryPairs& query) {
    auto request = parseQueryRequest(query);
    if (!request) return errorResponse(request.error());
    if (auto uuid = variables.find("uuid"); uuid != variables.end()) request->uuid = uuid->second;
    if (auto s = access.authorize(session, api, Json::object()); !s)
      return errorResponse(s.error());
    QueryEngine engine(services.database, services.inventories);
    auto scope = access.scopeFor(session);
    auto reply = engine.runText(api.inventory, *request, scope ? &*scope : nullptr);
    if (!reply) return errorResponse(reply.error());
    HttpResponse response;
    response.body = std::move(*reply);
    return response;
  }

  HttpResponse serve(const HttpRequest& request) {
    for (auto prefix : kJobPaths) {
      if (request.path.rfind(prefix, 0) == 0) {
        if (request.method != "GET") {
          return errorResponse(405, ErrorCode::kInvalidArgument, "poll a job with GET");
        }
        auto id = std::string_view(request.path).substr(prefix.size());
        while (!id.empty() && id.back() == '/') id.remove_suffix(1);
        return poll(std::string(id), request);
      }
    }
    auto method = methodOf(request.method);
    if (!method)
      return errorResponse(405, ErrorCode::kInvalidArgument,
                           "unsupported HTTP method " + request.method);
    auto match = routes.match(*method, request.path);
    if (match.kind == RouteMatch::Kind::kNoPath) {
      return errorResponse(404, ErrorCode::kNotFound, "no API at " + request.path);
    }
    if (match.kind == RouteMatch::Kind::kWrongMethod) {
      return errorResponse(405, ErrorCode::kInvalidArgument,
                           request.method + " is not allowed on " + request.path);
    }

    Json body = Json::object();
    if (!request.body.empty()) {
      body = Json::parse(request.body, nullptr, /*allow_exceptions=*/false);
      if (body.is_discarded() || !body.is_object()) {
        return errorResponse(400, ErrorCode::kInvalidArgument,
                             "the request body is not a JSON object");
      }
    }
    const Route* route = match.candidates.front();
    if (match.candidates.size() > 1 || !route->api->actionKey.empty()) {
      auto chosen =
          std::find_if(match.candidates.begin(), match.candidates.end(), [&](const Route* r) {
            return !r->api->actionKey.empty() && bodyHasKey(body, r->api->actionKey);
          });
      if (chosen == match.candidates.end()) {
        std::string keys;
        for (const Route* r : match.candidates) {
          if (!r->api->actionKey.empty())
            keys += (keys.empty() ? "'" : ", '") + r->api->actionKey + "'";
        }
        if (!keys.empty()) {
          return errorResponse(400, ErrorCode::kInvalidArgument,
                               "the body names no API served at " + request.path,
                               "expected a top-level key: " + keys);
        }
      } else {
        route = *chosen;
      }
    }
    const ApiDeclaration& api = *route->api;
    if (!route->implemented) {
      return errorResponse(501, ErrorCode::kNotImplemented, api.name + " is not implemented yet",
                           "no loaded plugin serves this API");
    }

    auto query = parseQueryString(request.query);
    if (!query) return errorResponse(query.error());
    auto session = authenticate(api, request);
    if (!session) return errorResponse(session.error());
    if (isQueryApi(api)) return runQuery(api, *session, route->bind(match.segments), *query);

    auto params = collectParams(
        api, route->bind(match.segments),
        *method == HttpMethod::kGet || *method == HttpMethod::kDelete ? *query : QueryPairs{},
        body);
    if (!params) return errorResponse(params.error());
    if (auto s = validateParams(api, *params); !s) return errorResponse(s.error());
    if (auto s = access.authorize(*session, api, *params); !s) return errorResponse(s.error());

    if (*method == HttpMethod::kGet || api.synchronous) {
      auto reply = call(services.bus, messageFor(api, *params, *session, ""), apiTimeout());
      if (!reply) return errorResponse(reply.error());
      Json out = reply->is_object() ? *reply : Json::object();
      afterSuccess(api, *session, *params, out);
      return jsonResponse(200, out);
    }

    std::string jobUuid;
    if (auto h = request.headers.find("x-job-uuid"); h != request.headers.end()) {
      if (!isUuid(h->second)) {
        return errorResponse(400, ErrorCode::kInvalidArgument,
                             "X-Job-UUID must be 32 hexadecimal digits without dashes", h->second);
      }
      jobUuid = h->second;
    } else {
      jobUuid = newUuid();
    }
    std::string webHook;
    if (auto h = request.headers.find("x-web-hook"); h != request.headers.end()) {
      if (auto s = checkWebhookUrl(h->second); !s) return errorResponse(s.error());
      webHook = h->second;
    }
    if (auto s = jobs.create(jobUuid, api.name, webHook); !s) {
      if (s.error().code == ErrorCode::kAlreadyExists) {
        return errorResponse(400, ErrorCode::kInvalidArgument, "duplicate X-Job-UUID " + jobUuid);
      }
      return errorResponse(s.error());
    }
    runAsync(api, std::move(*params), std::move(*session), jobUuid, webHook, nullptr);
    return jsonResponse(
        202, {{"location", location(&request, jobUuid)}, {"apiTimeout", apiTimeout().count()}});
  }
};

RestFrontEnd::RestFrontEnd(RestServices services, std::vector<ApiDeclaration> implemented)
    : impl_(std::make_unique<Impl>(services, std::move(implemented))) {}

RestFrontEnd::~RestFrontEnd() { stop(); }

Status RestFrontEnd::start() {
  if (auto s = impl_->jobs.failInterrupted(); !s) return s;
  impl_->expirer.start(std::chrono::minutes(1), [impl = impl_.get()] {
    auto retention = impl->services.globalConfigs.getInt("api", "job.retention", 172800);
    auto expired = impl->jobs.expireFinishedBefore(nowMillis() - retention * 1000);
    if (!expired) impl->log->warn("job expiry failed error=\"" + expired.error().describe() + "\"");
  });
  return {};
}

void RestFrontEnd::stop() { impl_->expirer.stop(); }

void RestFrontEnd::setAdvertisedAddress(std::string hostAndPort) {
  std::lock_guard lock(impl_->advertisedMutex);
  impl_->advertised = std::move(hostAndPort);
}

HttpResponse RestFrontEnd::handle(const HttpRequest& request) { return impl_->serve(request); }

const ApiDeclaration* RestFrontEnd::findApi(std::string_view name) const {
  return impl_->routes.findApi(name);
}

bool RestFrontEnd::implemented(std::string_view name) const {
  return impl_->routes.implemented(name);
}

Status RestFrontEnd::submit(InternalCall call, std::function<void(const Reply&)> done) {
  if (!impl_->routes.implemented(call.api->name) || isQueryApi(*call.api)) {
    return makeError(ErrorCode::kNotSupported, call.api->name + " cannot run as a job");
  }
  if (auto s = validateParams(*call.api, call.params); !s) return s;
  if (auto s = impl_->access.authorize(call.session, *call.api, call.params); !s) return s;
  if (auto s = impl_->jobs.create(call.jobUuid, call.api->name, ""); !s) return s;
  impl_->runAsync(*call.api, std::move(call.params), std::move(call.session), call.jobUuid, "",
                  std::move(done));
  return {};
}

}  // namespace strato::kernel
