// What the KVM plugin keeps of each KVM host beside the host plugin's row: the SSH credentials
// AddKVMHost / UpdateKVMHost gave (ZStack's KVMHostVO), and the SSH host key seen first, so a
// different machine answering at the address later is refused.
#pragma once

#include <optional>
#include <string>

#include <strato/sdk.h>

#include "ssh/ssh_client.h"

namespace strato::kvm {

struct KvmCredentials {
  std::string username;
  std::string password;
  int sshPort = 22;
  std::string hostKey;
};

std::vector<Migration> kvmHostMigrations();

class KvmHostStore {
 public:
  explicit KvmHostStore(Database& db) : db_(db) {}
  Status insert(const std::string& hostUuid, const KvmCredentials& c);
  Result<KvmCredentials> get(const std::string& hostUuid);
  // Only the fields given change.
  Status update(const std::string& hostUuid, const std::optional<std::string>& username,
                const std::optional<std::string>& password, const std::optional<int>& sshPort);
  Status rememberHostKey(const std::string& hostUuid, const std::string& key);
  Status remove(const std::string& hostUuid);

 private:
  Database& db_;
};

}  // namespace strato::kvm
