// The command line every benchmark takes: [--requests N] [--repeat K] [--json FILE] [--db URL].
// --db is the database URL for benchmarks that start a server (default: SQLite in a temp dir).
#pragma once

#include <iostream>
#include <optional>
#include <string>

namespace strato::bench {

struct BenchArgs {
  long requests;
  int repeat = 3;
  std::string jsonFile;
  std::string databaseUrl;
};

// nullopt (after printing the usage) on a bad command line.
inline std::optional<BenchArgs> parseBenchArgs(int argc, char** argv, const char* program,
                                               long requests) {
  BenchArgs args{requests};
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    try {
      if (arg == "--requests" && i + 1 < argc) {
        args.requests = std::stol(argv[++i]);
      } else if (arg == "--repeat" && i + 1 < argc) {
        args.repeat = std::stoi(argv[++i]);
      } else if (arg == "--json" && i + 1 < argc) {
        args.jsonFile = argv[++i];
      } else if (arg == "--db" && i + 1 < argc) {
        args.databaseUrl = argv[++i];
      } else {
        throw std::invalid_argument(arg);
      }
    } catch (const std::exception&) {
      std::cerr << "usage: " << program
                << " [--requests N] [--repeat K] [--json FILE] [--db URL]\n";
      return std::nullopt;
    }
  }
  if (args.requests <= 0 || args.repeat <= 0) {
    std::cerr << program << ": --requests and --repeat must be positive\n";
    return std::nullopt;
  }
  return args;
}

}  // namespace strato::bench
