#include "support/nfs_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>
#include <thread>

#include "support/free_port.h"

namespace strato::test {
namespace {

bool listening(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

std::string readAll(const std::filesystem::path& file) {
  std::ifstream in(file);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

std::unique_ptr<NfsServer> NfsServer::start() {
  std::unique_ptr<NfsServer> s(new NfsServer());
  const auto& dir = s->dir_.path();
  s->export_ = dir / "export";
  std::filesystem::create_directories(s->export_);
  std::filesystem::create_directories(dir / "recovery");

  if (!listening(111)) {
    s->rpcbind_ =
        Process::start(findProgram("rpcbind", "rpcbind"), {"-f", "-w"}, {}, dir / "rpcbind.out");
    for (int i = 0; i < 100 && !listening(111); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }

  // Every port free, so no NFS server of the machine is in the way; rpcbind tells clients them.
  int nfsPort = freeTcpPort();
  std::ofstream(dir / "ganesha.conf")
      << "NFS_CORE_PARAM { Protocols = 3; Bind_addr = 127.0.0.1; NFS_Port = " << nfsPort
      << "; MNT_Port = " << freeTcpPort() << "; NLM_Port = " << freeTcpPort()
      << "; Rquota_Port = " << freeTcpPort() << "; }\n"
      << "NFSV4 { Graceless = true; RecoveryRoot = " << (dir / "recovery").string() << "; }\n"
      << "EXPORT { Export_Id = 1; Path = " << s->export_.string() << "; Pseudo = /export;"
      << " Access_Type = RW; SecType = sys; Protocols = 3;"
      // Every client is root there, as every host's strato-agent is (some here run as the
      // SSH test user).
      << " Squash = All_Squash; Anonymous_Uid = 0; Anonymous_Gid = 0;"
      << " Transports = TCP; FSAL { Name = VFS; } }\n";
  s->ganesha_ =
      Process::start(findProgram("ganesha.nfsd", "nfs-ganesha"),
                     {"-F", "-f", (dir / "ganesha.conf").string(), "-L",
                      (dir / "ganesha.log").string(), "-p", (dir / "ganesha.pid").string()},
                     {}, dir / "ganesha.out");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (readAll(dir / "ganesha.log").find("NFS SERVER INITIALIZED") == std::string::npos ||
         !listening(nfsPort)) {
    if (!s->ganesha_->running() || std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("nfs-ganesha did not start:\n" + readAll(dir / "ganesha.log") +
                               s->ganesha_->readOutput());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return s;
}

NfsServer::~NfsServer() {
  if (ganesha_) ganesha_->stop();
  if (rpcbind_) rpcbind_->stop();
}

}  // namespace strato::test
