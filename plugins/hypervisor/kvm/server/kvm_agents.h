// Reaching KVM hosts: by SSH with their credentials (checking the host, starting strato-agent)
// and through their agent over HTTP. Blocking; call from the bus's blocking pool.
#pragma once

#include <memory>
#include <string>

#include <strato/sdk.h>

#include "agent_client/agent_client.h"
#include "agent_client/task_calls.h"
#include "kvm_host_store.h"
#include "kvm_settings.h"

namespace strato::kvm {

// {"host", "port", "user", "password", "hostKey"}: how other plugins are told to reach a host
// by SSH (backupStorage.SendImage, kvm.HostSshTarget).
Json sshTargetJson(const ssh::Target& t);

// A KVM host as this plugin reaches it.
struct KvmHost {
  std::string managementIp;
  KvmCredentials credentials;
};

class KvmAgents {
 public:
  KvmAgents(KvmSettings settings, KvmHostStore& store, Database& db, Logger& logger,
            std::shared_ptr<agent::TaskCalls> tasks)
      : settings_(std::move(settings)),
        store_(store),
        db_(db),
        logger_(&logger),
        tasks_(std::move(tasks)) {}

  const KvmSettings& settings() const { return settings_; }
  agent::Address address(const std::string& managementIp) const {
    return {managementIp, settings_.agentPort};
  }
  // A command to the host's agent, with the call timeout. One that takes the agent longer than
  // a moment is answered "accepted" and called back when it ends (task_calls.h).
  Reply call(const std::string& managementIp, std::string_view type, Json body,
             const std::string& resourceUuid = {}) const;
  // kPing with the ping timeout; `body` says who manages the host (managedBy), or is empty.
  Reply ping(const std::string& managementIp, Json body = Json::object()) const;

  // {"hostUuid", "managementNodes": [the live ones], "heartbeat": {"roots", "intervalMs"}}:
  // Facts and Ping carry it, so the agent knows whom to tell when its guests change, and where
  // to write its heartbeats.
  Json managedBy(const std::string& hostUuid) const;
  // Where the host's heartbeats go: the roots of the shared storages (SharedMountPoint, NFS)
  // attached to its cluster.
  Result<std::vector<std::string>> heartbeatRoots(const std::string& hostUuid) const;

  // The host's address (the host plugin's row) and credentials; kNotFound when `uuid` names no
  // KVM host.
  Result<KvmHost> host(const std::string& uuid) const;

  ssh::Target sshTarget(const std::string& managementIp, const KvmCredentials& c) const;
  // A fresh path in the agent's directory on a host, for a file on its way between an NFS share
  // (which only the agent reaches) and SSH (which reaches only the host's disks).
  std::string stagingPath() const;
  // The first connect and every reconnect: SSH in with the host's credentials (refusing another
  // host key than the first one seen), check the host can run guests, start strato-agent there
  // when nothing listens on its port (installing it first when the host has none), and wait
  // until it answers. kInvalidArgument for refused
  // credentials; something else answering there (garbage, or too slowly) is an error of its
  // own, since starting an agent beside it could not help.
  Status prepare(const HostSpec& host);
  // A script through the host's shell: {"returnCode", "stdout", "stderr"}.
  Result<Json> runShell(const std::string& managementIp, const KvmCredentials& c,
                        const std::string& script) const;

 private:
  Status startAgent(const ssh::Target& target, const std::string& managementIp);
  // strato-agent from this node's own installation (settings().agentBundleDir) into agentDir on
  // the host, each file only when the host's copy differs; the program to run there. Missing
  // libraries on the host are an error naming them (kvm_agent_install.cc).
  Result<std::string> installAgent(const ssh::Target& target);

  KvmSettings settings_;
  KvmHostStore& store_;
  Database& db_;
  Logger* logger_;
  std::shared_ptr<agent::TaskCalls> tasks_;
};

}  // namespace strato::kvm
