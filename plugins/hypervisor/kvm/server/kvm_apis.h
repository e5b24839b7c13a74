// ZStack's KVM host APIs (4.3.8-4.3.10): AddKVMHost, UpdateKVMHost, KvmRunShell.
#pragma once

#include <memory>

#include <strato/sdk.h>

#include "kvm_agents.h"

namespace strato::kvm {

void registerKvmApis(Registrar& r, std::shared_ptr<KvmAgents> agents,
                     std::shared_ptr<KvmHostStore> store);
// kCacheImageMessage: image files come from their backup storage over SSH.
void registerImageCache(Registrar& r, std::shared_ptr<KvmAgents> agents);
// kCopyHostFilesMessage: files from one KVM host to another, over SSH through this node.
void registerHostCopy(Registrar& r, std::shared_ptr<KvmAgents> agents);

}  // namespace strato::kvm
