#pragma once
// The pool's listening socket: unix (default), loopback TCP, or inherited fd 0.

#include <string>
#include <vector>

#include "config.hpp"

namespace mfo {

// What ListenSocket::open would refuse, found without binding: a unix socket
// path longer than sun_path or a socket_group that does not exist (both throw
// ConfigError). A socket directory that does not exist is returned as a
// warning: systemd's RuntimeDirectory creates it only when the pool starts.
std::vector<std::string> check_listen_address(const Config& config);

class ListenSocket {
  public:
    // Opens per `config.listen`. Throws std::runtime_error with a clear message
    // (another pool already listening, bad group, ...).
    static ListenSocket open(const Config& config);
    // The same for another address of the same forms (authorizer_listen).
    static ListenSocket open(const Config& config, const std::string& listen);

    ListenSocket(ListenSocket&& other) noexcept;
    ListenSocket& operator=(ListenSocket&&) = delete;
    ListenSocket(const ListenSocket&) = delete;
    ~ListenSocket();

    int fd() const { return fd_; }
    const std::string& description() const { return description_; }
    // Removes the unix socket path (supervisor, at exit).
    void unlink_path();

  private:
    ListenSocket(int fd, std::string unix_path, std::string description)
        : fd_(fd), unix_path_(std::move(unix_path)), description_(std::move(description)) {}

    int fd_ = -1;
    std::string unix_path_;
    std::string description_;
};

}  // namespace mfo
