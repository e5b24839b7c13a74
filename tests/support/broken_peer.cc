#include "support/broken_peer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <vector>

namespace strato::test {

BrokenPeer::BrokenPeer(const std::string& host, int port, Mode mode) : mode_(mode) {
  listener_ = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
  if (bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(listener_, 16) != 0) {
    close(listener_);
    throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port));
  }
  thread_ = std::thread([this] { serve(); });
}

BrokenPeer::~BrokenPeer() {
  stopping_ = true;
  thread_.join();
  close(listener_);
}

void BrokenPeer::serve() {
  std::vector<int> held;  // silent mode keeps connections open, unanswered
  while (!stopping_) {
    pollfd p{listener_, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    int c = accept(listener_, nullptr, nullptr);
    if (c < 0) continue;
    if (mode_ == Mode::kSilent) {
      held.push_back(c);
      continue;
    }
    char buf[4096];
    (void)read(c, buf, sizeof buf);
    const char reply[] =
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n"
        "Connection: close\r\n\r\nnot json!";
    (void)write(c, reply, sizeof reply - 1);
    close(c);
  }
  for (int c : held) close(c);
}

}  // namespace strato::test
