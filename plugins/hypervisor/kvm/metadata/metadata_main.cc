// strato-metadata: the flat provider's userdata and metadata server (metadata_tree.h). The KVM
// agent starts one per L3 network inside the network's DHCP namespace, on 169.254.169.254:80:
//   strato-metadata --root DIR --listen ADDR:PORT [--pid-file FILE] [--daemon]
// With --daemon it binds first, then goes to the background, so that a port it cannot have is its
// exit status; the pid file is written before the parent exits.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <utility>  // before Asio: Boost 1.74 uses std::exchange without it

#include <boost/asio.hpp>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>

#include "metadata_tree.h"

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct Options {
  std::string root, address, pidFile;
  unsigned short port = 0;
  bool daemon = false;
};

bool parse(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--root") {
      o.root = next();
    } else if (a == "--listen") {
      std::string l = next();
      auto colon = l.rfind(':');
      if (colon == std::string::npos) return false;
      o.address = l.substr(0, colon);
      try {
        int port = std::stoi(l.substr(colon + 1));
        if (port <= 0 || port > 65535) return false;
        o.port = static_cast<unsigned short>(port);
      } catch (const std::exception&) {
        return false;
      }
    } else if (a == "--pid-file") {
      o.pidFile = next();
    } else if (a == "--daemon") {
      o.daemon = true;
    } else {
      return false;
    }
  }
  return !o.root.empty() && !o.address.empty();
}

// A plain socket, so that it can be made before fork() and handed to Asio after.
int listenOn(const Options& o) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(o.port);
  if (::inet_pton(AF_INET, o.address.c_str(), &addr.sin_addr) != 1) {
    std::cerr << "strato-metadata: not an IPv4 address: " << o.address << "\n";
    return -1;
  }
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  if (fd < 0 || ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 64) != 0) {
    std::cerr << "strato-metadata: cannot listen on " << o.address << ":" << o.port << ": "
              << std::strerror(errno) << "\n";
    return -1;
  }
  return fd;
}

std::string response(int status, const std::string& reason, const std::string& body,
                     bool withBody) {
  return "HTTP/1.1 " + std::to_string(status) + " " + reason +
         "\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n\r\n" + (withBody ? body : "");
}

// One request per connection; a guest that says nothing for 10 s is hung up on.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const std::string& root)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), root_(root), buffer_(8192) {}

  void start() {
    timer_.expires_after(std::chrono::seconds(10));
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->socket_.close();
    });
    asio::async_read_until(socket_, buffer_, "\r\n\r\n",
                           [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                             if (!ec) self->answer();
                           });
  }

 private:
  void answer() {
    std::istream in(&buffer_);
    std::string method, target;
    in >> method >> target;
    boost::system::error_code ec;
    auto peer = socket_.remote_endpoint(ec).address();
    if (peer.is_v6() && peer.to_v6().is_v4_mapped()) {
      peer = asio::ip::make_address_v4(asio::ip::v4_mapped, peer.to_v6());
    }
    if (ec || (method != "GET" && method != "HEAD")) {
      out_ = response(405, "Method Not Allowed", "", false);
    } else if (auto body = strato::metadata::answer(root_, peer.to_string(), target)) {
      out_ = response(200, "OK", *body, method == "GET");
    } else {
      out_ = response(404, "Not Found", "", false);
    }
    asio::async_write(socket_, asio::buffer(out_),
                      [self = shared_from_this()](boost::system::error_code, std::size_t) {
                        boost::system::error_code ignored;
                        self->socket_.shutdown(tcp::socket::shutdown_both, ignored);
                        self->timer_.cancel();
                      });
  }

  tcp::socket socket_;
  asio::steady_timer timer_;
  const std::string& root_;
  asio::streambuf buffer_;
  std::string out_;
};

void accept(tcp::acceptor& acceptor, const std::string& root) {
  acceptor.async_accept([&acceptor, &root](boost::system::error_code ec, tcp::socket socket) {
    if (!ec) std::make_shared<Session>(std::move(socket), root)->start();
    accept(acceptor, root);
  });
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse(argc, argv, o)) {
    std::cerr << "usage: strato-metadata --root DIR --listen ADDR:PORT [--pid-file FILE] "
                 "[--daemon]\n";
    return 2;
  }
  int fd = listenOn(o);
  if (fd < 0) return 1;
  if (o.daemon) {
    pid_t child = ::fork();
    if (child < 0) return 1;
    if (child > 0) {
      if (!o.pidFile.empty()) std::ofstream(o.pidFile) << child << "\n";
      return 0;
    }
    ::setsid();
    if (std::FILE* null = std::fopen("/dev/null", "r+")) {
      for (int std : {0, 1, 2}) ::dup2(fileno(null), std);
    }
  } else if (!o.pidFile.empty()) {
    std::ofstream(o.pidFile) << ::getpid() << "\n";
  }
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::v4(), fd);
  accept(acceptor, o.root);
  io.run();
  return 0;
}
