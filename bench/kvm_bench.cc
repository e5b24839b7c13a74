// Starting and stopping VMs on KVM hosts through the REST API: a real strato-server, a real sshd
// (AddKVMHost checks every host over SSH), two strato-agents on 127.0.0.2 and 127.0.0.3 driving
// libvirt's test driver (each host a 64-core, 64 GiB machine described in a node file), and blank
// qcow2 root volumes made by qemu-img on a shared mount point.
// Each run, on a fresh server: N CreateVmInstance at once (until every VM is Running), then N
// StopVmInstance at once, then N StartVmInstance at once; VMs per second for each. Needs root (the
// sshd's test user is created). --requests N sets the VM count (default 100).
//
//   strato-bench-kvm [--requests N] [--repeat K] [--json FILE]
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <iostream>
#include <thread>

#include "bench_args.h"
#include "bench_figures.h"
#include "support/free_port.h"
#include "support/node_launch.h"
#include "support/ssh_server.h"
#include "support/temp_dir.h"
#include "support/zstack_client.h"

namespace {

using namespace strato::test;
using Clock = std::chrono::steady_clock;
constexpr const char* kHosts[] = {"127.0.0.2", "127.0.0.3"};

struct Bed {
  SshServer& sshd;
  TempDir dir{"bench-kvm"};
  int agentPort = freeTcpPort();
  std::vector<std::unique_ptr<Process>> nodes;  // the server first, then the agents
  std::unique_ptr<ZStackClient> client;
  std::string offering, image, l3, rootDisk;

  Process& start(const std::string& bin, const std::string& name, std::vector<std::string> args,
                 const std::string& host = "127.0.0.1") {
    auto d = dir.path() / name;
    std::filesystem::create_directories(d);
    nodes.push_back(launchNode(bin, d, args));
    std::string why;
    int port = waitUntilServing(*nodes.back(), d, &why, host);
    if (port == 0) throw std::runtime_error(name + ": " + why);
    if (!client) client = std::make_unique<ZStackClient>(port);
    return *nodes.back();
  }

  Json created(const std::string& path, const Json& params) {
    auto reply = client->call("POST", "/zstack/v1/" + path, {{"params", params}});
    if (reply.status != 200) throw std::runtime_error(path + ": " + reply.body);
    return parse(reply)["inventory"];
  }

  explicit Bed(SshServer& s) : sshd(s) {
    auto node = dir.path() / "node.xml";
    std::ofstream(node) << "<node><cpu><mhz>2400</mhz><model>x86_64</model><active>64</active>"
                        << "<total>64</total><nodes>1</nodes><sockets>1</sockets><cores>64</cores>"
                        << "<threads>1</threads></cpu><memory>67108864</memory></node>\n";
    start(STRATO_SERVER_BIN, "server",
          {"--set", std::string("plugins.dirs=") + STRATO_PLUGIN_DIR, "--set",
           "plugin.kvm.agentPort=" + std::to_string(agentPort), "--set",
           std::string("plugin.kvm.agentCommand=") + STRATO_AGENT_BIN});
    for (const char* ip : kHosts) {
      start(STRATO_AGENT_BIN, ip,
            {"--set", std::string("http.host=") + ip, "--set",
             "http.port=" + std::to_string(agentPort), "--set",
             std::string("plugins.dirs=") + STRATO_AGENT_PLUGIN_DIR, "--set",
             "plugin.kvm-agent.libvirtUri=test://" + node.string(), "--set",
             "plugin.kvm-agent.dryRunNetwork=true"},
            ip);
    }
    if (client->login().empty()) throw std::runtime_error("login failed");
    std::string zone = created("zones", {{"name", "bench"}})["uuid"];
    std::string cluster =
        created("clusters", {{"zoneUuid", zone}, {"name", "kvm"}, {"hypervisorType", "KVM"}})["uuid"];
    for (const char* ip : kHosts) {
      created("hosts/kvm", {{"name", ip}, {"managementIp", ip}, {"clusterUuid", cluster},
                            {"username", sshd.user()}, {"password", sshd.password()},
                            {"sshPort", sshd.port()}});
    }
    std::string ps = created("primary-storage/smp", {{"name", "smp"}, {"zoneUuid", zone},
                                                     {"url", sshd.writableDir("smp").string()}})["uuid"];
    created("clusters/" + cluster + "/primary-storage/" + ps, Json::object());
    std::string bs = created("backup-storage/simulators", {{"name", "bs"}, {"url", "/bs"}})["uuid"];
    created("zones/" + zone + "/backup-storage/" + bs, Json::object());
    image = created("images", {{"name", "iso"}, {"url", "http://bench/installer.iso"},
                               {"format", "iso"}, {"backupStorageUuids", {bs}}})["uuid"];
    rootDisk = created("disk-offerings", {{"name", "root"}, {"diskSize", 64LL << 20}})["uuid"];
    std::string l2 = created("l2-networks/no-vlan", {{"name", "l2"}, {"zoneUuid", zone},
                                                     {"physicalInterface", "eth0"}})["uuid"];
    created("l2-networks/" + l2 + "/clusters/" + cluster, Json::object());
    l3 = created("l3-networks", {{"name", "l3"}, {"l2NetworkUuid", l2}})["uuid"];
    created("l3-networks/" + l3 + "/ip-ranges/by-cidr", {{"name", "r"}, {"networkCidr", "172.16.0.0/16"}});
    offering = created("instance-offerings", {{"name", "s"}, {"cpuNum", 1}, {"memorySize", 16LL << 20}})["uuid"];
  }

  // Sends every request at once, then waits for each job: seconds until the last is done.
  double all(const std::vector<std::pair<std::string, Json>>& requests, const std::string& method,
             std::vector<std::string>* uuids = nullptr) {
    auto begin = Clock::now();
    std::vector<std::string> jobs;
    for (const auto& [path, body] : requests) {
      auto accepted = client->send(method, path, body);
      if (accepted.status != 202) throw std::runtime_error("refused: " + accepted.body);
      std::string location = parse(accepted)["location"];
      jobs.push_back(location);
    }
    std::atomic<int> failed{0};
    std::vector<std::thread> pollers;
    std::vector<std::string> done(jobs.size());
    for (int t = 0; t < 8; ++t) {
      pollers.emplace_back([&, t] {
        for (std::size_t i = t; i < jobs.size(); i += 8) {
          auto reply = client->poll(jobs[i], std::chrono::minutes(5));
          if (reply.status != 200) {
            if (++failed < 3) std::cerr << "failed: " << reply.body << "\n";
            continue;
          }
          done[i] = parse(reply)["inventory"].value("uuid", "");
        }
      });
    }
    for (auto& p : pollers) p.join();
    if (failed > 0) throw std::runtime_error(std::to_string(failed.load()) + " requests failed");
    if (uuids) *uuids = done;
    return std::chrono::duration<double>(Clock::now() - begin).count();
  }
};

struct Run {
  double create = 0, stop = 0, start = 0;
};

}  // namespace

int main(int argc, char** argv) {
  auto args = strato::bench::parseBenchArgs(argc, argv, "strato-bench-kvm", 100);
  if (!args) return 2;
  int n = static_cast<int>(args->requests);
  std::vector<Run> runs;
  try {
    auto sshd = SshServer::start({"127.0.0.1", kHosts[0], kHosts[1]});
    std::cout << fmt::format("{:<5} {:>16} {:>16} {:>16}\n", "run", "create VMs/s", "stop VMs/s",
                             "start VMs/s");
    for (int r = 0; r < args->repeat; ++r) {
      Bed bed(*sshd);
      std::vector<std::pair<std::string, Json>> creates, stops, starts;
      for (int i = 0; i < n; ++i) {
        creates.push_back({"/zstack/v1/vm-instances",
                           {{"params", {{"name", fmt::format("vm{}", i)},
                                        {"instanceOfferingUuid", bed.offering},
                                        {"imageUuid", bed.image},
                                        {"rootDiskOfferingUuid", bed.rootDisk},
                                        {"l3NetworkUuids", {bed.l3}}}}}});
      }
      std::vector<std::string> vms;
      Run run;
      run.create = n / bed.all(creates, "POST", &vms);
      for (const auto& vm : vms) {
        std::string path = "/zstack/v1/vm-instances/" + vm + "/actions";
        stops.push_back({path, {{"stopVmInstance", {{"type", "cold"}}}}});
        starts.push_back({path, {{"startVmInstance", Json::object()}}});
      }
      run.stop = n / bed.all(stops, "PUT");
      run.start = n / bed.all(starts, "PUT");
      std::cout << fmt::format("{:<5} {:>16.1f} {:>16.1f} {:>16.1f}\n", r + 1, run.create, run.stop,
                               run.start);
      runs.push_back(run);
    }
  } catch (const std::exception& e) {
    std::cerr << "strato-bench-kvm: " << e.what() << "\n";
    return 1;
  }
  auto figure = [&](const std::string& name, double Run::*field) {
    return strato::bench::spread(runs, name, field);
  };
  if (!args->jsonFile.empty()) {
    std::ofstream(args->jsonFile)
        << Json{{"benchmark", "kvm-vms"},
                {"vms", n},
                {"agents", 2},
                {"libvirt", "test driver, 64 cores and 64 GiB per host"},
                {"cores", std::thread::hardware_concurrency()},
                {"results", Json::array({figure("CreateVmInstance (VMs/s)", &Run::create),
                                         figure("StopVmInstance (VMs/s)", &Run::stop),
                                         figure("StartVmInstance (VMs/s)", &Run::start)})}}
                   .dump(2)
            << "\n";
  }
  return 0;
}
