// Copying files between KVM hosts (kCopyHostFilesMessage), for LocalStorage volumes that move
// to another host's disk. Hosts share no credentials, so the bytes stream through this node:
// read over SSH on one host, written over SSH on the other, in chunks (ssh::pipe).
#include <strato/handler_util.h>

#include "agent_client/kvm_protocol.h"
#include "kvm_apis.h"

namespace strato::kvm {
namespace {

Status copyFile(const ssh::Target& from, const ssh::Target& to, const std::string& path) {
  using ssh::shellQuote;
  auto slash = path.rfind('/');
  if (path.empty() || path.front() != '/' || slash == 0) {
    return invalidArgument("a file to copy between hosts needs an absolute path", path);
  }
  // Written beside the file and renamed: a copy cut short never passes for a whole one.
  std::string part = path + ".part";
  std::string write = "mkdir -p " + shellQuote(path.substr(0, slash)) + " && cat > " +
                      shellQuote(part) + " && mv -f " + shellQuote(part) + " " + shellQuote(path);
  auto piped = ssh::pipe(from, "cat " + shellQuote(path), to, write);
  if (!piped) return failedWhile(piped.error(), "copying " + path);
  return {};
}

}  // namespace

void registerHostCopy(Registrar& r, std::shared_ptr<KvmAgents> agents) {
  auto& bus = r.bus();
  r.handle(std::string(kCopyHostFilesMessage),
           blockingHandler(bus, [agents](const Message& m) -> Reply {
             auto from = agents->host(textParam(m.body, "fromHostUuid"));
             if (!from) return from.error();
             auto to = agents->host(textParam(m.body, "toHostUuid"));
             if (!to) return to.error();
             auto source = agents->sshTarget(from->managementIp, from->credentials);
             auto dest = agents->sshTarget(to->managementIp, to->credentials);
             // A volume of hundreds of GB takes a while; SSH's own timeout is per read.
             for (const auto& path : m.body.value("paths", std::vector<std::string>{})) {
               if (auto copied = copyFile(source, dest, path); !copied) return copied.error();
             }
             return Json::object();
           }));
}

}  // namespace strato::kvm
