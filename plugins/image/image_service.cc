#include "image_service.h"

#include <strato/handler_util.h>

#include <algorithm>
#include <mutex>

#include "image_rules.h"

namespace strato::image {

Reply ImageService::ask(std::string_view type, Json body, std::chrono::milliseconds timeout) {
  return call(bus_, Message{std::string(type), "", std::move(body)}, timeout);
}

Result<std::vector<std::string>> ImageService::storagesParam(const Json& p) {
  auto storages = stringListParam(p, "backupStorageUuids");
  if (storages.empty()) return invalidArgument("backupStorageUuids must name at least one storage");
  for (const auto& bs : storages) {
    auto found = db_.query("SELECT 1 FROM backup_storage WHERE uuid = ?", {bs});
    if (!found) return found.error();
    if (found->rows.empty())
      return invalidArgument("backupStorageUuids names no backup storage", bs);
  }
  return storages;
}

Result<ImageService::Download> ImageService::prepare(const Json& p) {
  Download d;
  d.uuid = textParam(p, "resourceUuid", newUuid());
  if (!isUuid(d.uuid)) return invalidArgument("resourceUuid must be 32 hex digits", d.uuid);
  d.url = textParam(p, "url");
  if (auto s = checkUrl(d.url); !s) return s.error();
  d.format = textParam(p, "format");
  std::string mediaType =
      textParam(p, "mediaType", d.format == "iso" ? "ISO" : "RootVolumeTemplate");
  if (auto s = checkMedia(d.format, mediaType); !s) return s.error();
  std::string platform = textParam(p, "platform", "Linux");
  if (auto s = oneOf(kPlatforms, platform, "platform"); !s) return s.error();
  if (auto type = textParam(p, "type", "zstack"); type != "zstack") {
    return invalidArgument("type must be zstack", type);
  }
  auto storages = storagesParam(p);
  if (!storages) return storages.error();
  d.storages = std::move(*storages);
  d.requestBody = {{"url", d.url}, {"format", d.format}};
  if (auto s = insertImage(d, p, mediaType, platform); !s) return s.error();
  return d;
}

Status ImageService::insertImage(const Download& d, const Json& p, const std::string& mediaType,
                                 const std::string& platform) {
  DbValue description, guestOsType;
  if (p.contains("description") && p["description"].is_string())
    description = textParam(p, "description");
  if (p.contains("guestOsType") && p["guestOsType"].is_string())
    guestOsType = textParam(p, "guestOsType");
  auto now = nowMillis();
  Status inserted = db_.transaction([&](Database& tx) -> Status {
    auto s = statusOf(tx.execute(
        "INSERT INTO image (uuid, name, description, state, status, url, mediaType, guestOsType, "
        "type, platform, format, isSystem, backupStorageRefs, createDate, lastOpDate) VALUES "
        "(?, ?, ?, 'Enabled', 'Downloading', ?, ?, ?, 'zstack', ?, ?, ?, '[]', ?, ?)",
        {d.uuid, textParam(p, "name"), description, d.url, mediaType, guestOsType, platform,
         d.format, std::int64_t{p.value("system", false) ? 1 : 0}, now, now}));
    for (const auto& bs : d.storages) {
      if (!s) break;
      s = statusOf(
          tx.execute("INSERT INTO image_backup_storage_ref (imageUuid, backupStorageUuid, status, "
                     "createDate, lastOpDate) VALUES (?, ?, 'Downloading', ?, ?)",
                     {d.uuid, bs, now, now}));
    }
    return s ? refreshImage(tx, d.uuid) : s;
  });
  if (!inserted) {
    auto existing = db_.query("SELECT 1 FROM image WHERE uuid = ?", {d.uuid});
    if (existing && !existing->rows.empty())
      return makeError(ErrorCode::kAlreadyExists, "a resource with uuid " + d.uuid + " exists");
    return inserted.error();
  }
  return {};
}

void ImageService::add(const Message& m, Replier reply) {
  auto shared = std::make_shared<Replier>(std::move(reply));
  auto self = shared_from_this();
  Json params = m.body["params"];
  std::string jobUuid = m.body.value("jobUuid", "");
  bus_.postBlocking([self, shared, params, jobUuid] {
    auto prepared = self->prepare(params);
    if (!prepared) return (*shared)(prepared.error());
    auto download = std::make_shared<Download>(std::move(*prepared));
    download->jobUuid = jobUuid;
    self->fetch(download, shared);
  });
}

void ImageService::fetch(const std::shared_ptr<Download>& download,
                         const std::shared_ptr<Replier>& reply) {
  auto self = shared_from_this();
  download->results.resize(download->storages.size(), Json::object());
  auto pending = std::make_shared<std::pair<std::mutex, std::size_t>>();
  pending->second = download->storages.size();
  bus_.publish({std::string(kTaskProgressEvent),
                "",
                {{"apiId", download->jobUuid},
                 {"content", "downloading " + download->url + " to " +
                                 std::to_string(pending->second) + " backup storage"},
                 {"percent", 0}}});
  auto timeout = std::chrono::seconds(
      std::max<std::int64_t>(60, config_.getInt("image", "download.timeout", 10800)));
  for (std::size_t i = 0; i < download->storages.size(); ++i) {
    Json body = download->requestBody;
    body["backupStorageUuid"] = download->storages[i];
    body["imageUuid"] = download->uuid;
    bus_.request(
        {download->requestType, "", body},
        [self, reply, download, pending, i](Reply done) {
          {
            std::lock_guard lock(pending->first);
            download->results[i] = std::move(done);
            if (--pending->second > 0) return;
          }
          self->bus_.postBlocking([self, reply, download] { (*reply)(self->finish(*download)); });
        },
        timeout);
  }
}

Reply ImageService::finish(const Download& d) {
  std::string failures;
  std::vector<std::string> failed;
  Status recorded = db_.transaction([&](Database& tx) -> Status {
    bool sized = false;
    for (std::size_t i = 0; i < d.storages.size(); ++i) {
      const auto& bs = d.storages[i];
      const Reply& r = d.results[i];
      if (!r) {
        failures += (failures.empty() ? "" : "; ") + bs + ": " + r.error().describe();
        failed.push_back(bs);
        auto s = statusOf(tx.execute(
            "DELETE FROM image_backup_storage_ref WHERE imageUuid = ? AND backupStorageUuid = ?",
            {d.uuid, bs}));
        if (!s) return s;
        continue;
      }
      auto s = statusOf(tx.execute(
          "UPDATE image_backup_storage_ref SET installPath = ?, status = 'Ready', lastOpDate = ? "
          "WHERE imageUuid = ? AND backupStorageUuid = ?",
          {textParam(*r, "installPath"), nowMillis(), d.uuid, bs}));
      if (s && !sized) {
        sized = true;
        DbValue md5;
        if (!textParam(*r, "md5Sum").empty()) md5 = textParam(*r, "md5Sum");
        s = statusOf(
            tx.execute("UPDATE image SET size = ?, actualSize = ?, md5Sum = ? WHERE uuid = ?",
                       {r->value("size", std::int64_t{0}), r->value("actualSize", std::int64_t{0}),
                        md5, d.uuid}));
      }
      if (!s) return s;
    }
    if (failed.size() == d.storages.size())
      return statusOf(tx.execute("DELETE FROM image WHERE uuid = ?", {d.uuid}));
    return refreshImage(tx, d.uuid);
  });
  if (!recorded) return recorded.error();
  if (failed.size() == d.storages.size()) {
    logger_.warn("image.add.failed uuid=" + d.uuid + " errors=\"" + failures + "\"");
    // One cause everywhere (a disabled storage, say) keeps its code; mixed causes are a failure
    // to reach storage.
    ErrorCode code = d.results.front().error().code;
    for (const auto& r : d.results)
      if (r.error().code != code) code = ErrorCode::kUnavailable;
    return makeError(code, "downloading " + d.url + " failed", failures);
  }
  if (!failed.empty())
    logger_.warn("image.add.partial uuid=" + d.uuid + " errors=\"" + failures + "\"");
  logger_.info("image.added uuid=" + d.uuid);
  bus_.publish(
      {std::string(kTaskProgressEvent),
       "",
       {{"apiId", d.jobUuid}, {"content", "image " + d.uuid + " is ready"}, {"percent", 100}}});
  return inventoryReply(db_, d.uuid);
}

Result<std::vector<StorageRef>> ImageService::chosenRefs(const std::string& uuid,
                                                         const Json& params) {
  auto refs = refsOf(db_, uuid);
  if (!refs) return refs.error();
  auto wanted = stringListParam(params, "backupStorageUuids");
  if (wanted.empty()) return refs;
  std::vector<StorageRef> out;
  for (const auto& bs : wanted) {
    auto it = std::find_if(refs->begin(), refs->end(),
                           [&](const StorageRef& r) { return r.backupStorageUuid == bs; });
    if (it == refs->end())
      return invalidArgument("image " + uuid + " is not on backup storage " + bs);
    out.push_back(*it);
  }
  return out;
}

Status ImageService::expungeRefs(const std::string& uuid, const std::vector<StorageRef>& refs) {
  std::vector<std::string> gone;
  for (const auto& ref : refs) {
    if (!ref.installPath.empty()) {
      auto deleted =
          ask(kDeleteImageMessage,
              {{"backupStorageUuid", ref.backupStorageUuid}, {"installPath", ref.installPath}},
              std::chrono::minutes(5));
      // A storage that is gone took the file with it; anything else keeps the row for a retry.
      if (!deleted && deleted.error().code != ErrorCode::kNotFound) {
        if (!gone.empty()) (void)dropRefs(uuid, gone);
        return deleted.error();
      }
    }
    gone.push_back(ref.backupStorageUuid);
  }
  if (gone.empty()) return {};
  return dropRefs(uuid, gone);
}

Status ImageService::dropRefs(const std::string& uuid, const std::vector<std::string>& storages) {
  auto imageGone = removeRefs(db_, uuid, storages);
  if (!imageGone) return imageGone.error();
  if (!*imageGone) return {};
  auto forgotten = ask(kForgetResourcesMessage, {{"uuids", {uuid}}}, std::chrono::minutes(1));
  if (!forgotten) return forgotten.error();
  return {};
}

}  // namespace strato::image
