// Network namespaces standing in for machines and for guests' NICs, built with iproute2 (root
// only). Every namespace's name starts with this object's prefix, which holds the test's pid and
// a count of such objects (at most 13 characters for a tag of 3, so it also fits an interface
// name), so tests running side by side never meet; on destruction the processes still inside them (ones
// the test started there, or that those started) are killed and the namespaces deleted, which
// deletes their devices and the veth ends outside them too.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace strato::test {

class NetworkNamespaces {
 public:
  // Throws unless root with `ip` installed.
  explicit NetworkNamespaces(const std::string& tag);
  ~NetworkNamespaces();
  NetworkNamespaces(const NetworkNamespaces&) = delete;
  NetworkNamespaces& operator=(const NetworkNamespaces&) = delete;

  // Unique to this object: namespaces' names start with it, and it is short enough to name an
  // interface.
  const std::string& prefix() const { return prefix_; }
  // Makes "<prefix>-<name>", with its loopback up; returns the full name.
  std::string add(const std::string& name);
  // `ip` with these arguments; throws with its output unless it succeeds.
  void ip(const std::vector<std::string>& args) const;
  // Runs a program inside the namespace to completion; its exit status, output in `output`.
  int exec(const std::string& ns, const std::vector<std::string>& argv, std::string* output,
           std::chrono::seconds timeout = std::chrono::seconds(30)) const;
  // The wrapper that runs a program inside the namespace, and only its network namespace (it
  // execs it: same pid).
  std::vector<std::string> wrapper(const std::string& ns) const;

 private:
  std::string prefix_;
  std::string ipBinary_;
  TempDir logs_{"netns"};
};

}  // namespace strato::test
