#include <strato/handler_util.h>

#include "kvm_host_store.h"

namespace strato::kvm {

std::vector<Migration> kvmHostMigrations() {
  return {{1,
           "kvm hosts",
           {"CREATE TABLE kvm_host (uuid VARCHAR(32) PRIMARY KEY, username VARCHAR(255) NOT NULL, "
            "password VARCHAR(255) NOT NULL, sshPort INTEGER NOT NULL, hostKey VARCHAR(255))"}}};
}

Status KvmHostStore::insert(const std::string& hostUuid, const KvmCredentials& c) {
  return statusOf(
      db_.execute("INSERT INTO kvm_host (uuid, username, password, sshPort) VALUES (?, ?, ?, ?)",
                  {hostUuid, c.username, c.password, std::int64_t{c.sshPort}}));
}

Result<KvmCredentials> KvmHostStore::get(const std::string& hostUuid) {
  auto rows = db_.query("SELECT username, password, sshPort, hostKey FROM kvm_host WHERE uuid = ?",
                        {hostUuid});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return makeError(ErrorCode::kNotFound, "no KVM host " + hostUuid);
  const auto& r = rows->rows[0];
  return KvmCredentials{dbText(r[0]), dbText(r[1]), static_cast<int>(dbInt(r[2])),
                        dbText(r[3])};
}

Status KvmHostStore::update(const std::string& hostUuid, const std::optional<std::string>& username,
                            const std::optional<std::string>& password,
                            const std::optional<int>& sshPort) {
  auto now = get(hostUuid);
  if (!now) return now.error();
  return statusOf(db_.execute(
      "UPDATE kvm_host SET username = ?, password = ?, sshPort = ? WHERE uuid = ?",
      {username.value_or(now->username), password.value_or(now->password),
       std::int64_t{sshPort.value_or(now->sshPort)}, hostUuid}));
}

Status KvmHostStore::rememberHostKey(const std::string& hostUuid, const std::string& key) {
  return statusOf(db_.execute("UPDATE kvm_host SET hostKey = ? WHERE uuid = ? AND hostKey IS NULL",
                              {key, hostUuid}));
}

Status KvmHostStore::remove(const std::string& hostUuid) {
  return statusOf(db_.execute("DELETE FROM kvm_host WHERE uuid = ?", {hostUuid}));
}

}  // namespace strato::kvm
