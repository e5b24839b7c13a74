// Starting strato-server / strato-agent for a test: state in the test's directory, any free
// port (written to a port file once bound), and a wait until /health answers.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "support/process.h"

namespace strato::test {

// Command line for a node whose port file, database and log live in `dir`; no plugins unless
// `args` (appended, so they win) load some.
std::vector<std::string> nodeArgs(const std::filesystem::path& dir,
                                  const std::vector<std::string>& args);

// `wrapper`, when given, runs the node: its words, then the binary and its arguments (it must
// exec them, so the pid stays the node's).
std::unique_ptr<Process> launchNode(const std::string& binary, const std::filesystem::path& dir,
                                    const std::vector<std::string>& args,
                                    const std::vector<std::string>& wrapper = {});

// The node's port once it answers /health at `host`; 0 (and `why` filled) if it exited or took
// too long.
int waitUntilServing(Process& node, const std::filesystem::path& dir, std::string* why,
                     const std::string& host = "127.0.0.1");

}  // namespace strato::test
