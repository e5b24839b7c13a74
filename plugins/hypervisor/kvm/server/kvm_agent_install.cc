// Installing strato-agent on a KVM host that has none: the management node copies its own
// strato-agent, strato-metadata and agent plugins (settings().agentBundleDir) over SSH into
// <agentDir>, in the layout the agent finds its plugins by (bin/, lib/strato/agent-plugins/). A
// file whose SHA-256 matches the host's copy is not sent again, so a reconnect costs one checksum
// run, and a management node upgraded since sends the newer agent.
#include <Poco/DigestEngine.h>
#include <Poco/DigestStream.h>
#include <Poco/SHA2Engine.h>
#include <Poco/StreamCopier.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <strato/handler_util.h>

#include "kvm_agents.h"

namespace strato::kvm {
namespace {

namespace fs = std::filesystem;

struct BundleFile {
  std::string relative;  // under agentDir, as under the bundle
  fs::path local;
  bool executable = false;
};

Result<std::vector<BundleFile>> bundleFiles(const fs::path& bundle) {
  std::vector<BundleFile> files{{"bin/strato-agent", bundle / "bin/strato-agent", true},
                                {"bin/strato-metadata", bundle / "bin/strato-metadata", true}};
  std::error_code ec;
  std::vector<BundleFile> plugins;
  for (const auto& e : fs::directory_iterator(bundle / "lib/strato/agent-plugins", ec)) {
    if (e.path().extension() == ".so")
      plugins.push_back({"lib/strato/agent-plugins/" + e.path().filename().string(), e.path()});
  }
  std::sort(plugins.begin(), plugins.end(),
            [](const auto& a, const auto& b) { return a.relative < b.relative; });
  files.insert(files.end(), plugins.begin(), plugins.end());
  for (const auto& f : files) {
    if (!fs::is_regular_file(f.local) || plugins.empty()) {
      return makeError(ErrorCode::kNotFound,
                       "this management node has no strato-agent to install: " +
                           f.local.string() + (plugins.empty() ? " has no agent plugins" : " is missing"),
                       "plugin.kvm.agentBundleDir=" + bundle.string());
    }
  }
  return files;
}

std::string sha256(const fs::path& file) {
  Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
  Poco::DigestOutputStream digest(engine);
  std::ifstream in(file, std::ios::binary);
  Poco::StreamCopier::copyStream(in, digest);
  digest.close();
  return Poco::DigestEngine::digestToHex(engine.digest());
}

// sha256sum's lines: "<hex>  <path>".
std::map<std::string, std::string> sumsOf(const std::string& text) {
  std::map<std::string, std::string> sums;
  std::istringstream lines(text);
  std::string hex, path;
  while (lines >> hex >> path) sums[path] = hex;
  return sums;
}

}  // namespace

Result<std::string> KvmAgents::installAgent(const ssh::Target& target) {
  auto files = bundleFiles(settings_.agentBundleDir);
  if (!files) return files.error();
  using ssh::shellQuote;
  const std::string dir = settings_.agentDir;
  std::string list;
  for (const auto& f : *files) list += " " + shellQuote(f.relative);
  auto held = ssh::runChecked(target, "mkdir -p " + shellQuote(dir) + " && cd " + shellQuote(dir) +
                                          " && { sha256sum" + list + " 2>/dev/null || true; }");
  if (!held) return held.error();
  auto there = sumsOf(*held);
  for (const auto& f : *files) {
    if (there[f.relative] == sha256(f.local)) continue;
    logger_->info("kvm.agent.installing host=" + target.host + " file=" + f.relative);
    std::ifstream in(f.local, std::ios::binary);
    auto sent = ssh::upload(
        in, target,
        ssh::writeWholeFile(dir + "/" + f.relative,
                            static_cast<std::int64_t>(fs::file_size(f.local)), f.executable));
    if (!sent) return failedWhile(sent.error(), "installing strato-agent on " + target.host);
  }
  // A host without the libraries the agent needs would only show it in the agent's log.
  auto missing = ssh::runChecked(target, "cd " + shellQuote(dir) + " && ldd" + list +
                                             " 2>/dev/null | grep 'not found' | sort -u || true");
  if (!missing) return missing.error();
  if (!missing->empty()) {
    return makeError(ErrorCode::kUnavailable,
                     "host " + target.host + " lacks libraries strato-agent needs; install "
                     "strato's runtime packages there",
                     *missing);
  }
  return dir + "/bin/strato-agent";
}

}  // namespace strato::kvm
