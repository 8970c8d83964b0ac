#include "pool/listen_socket.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace mfo {

namespace {

constexpr int kBacklog = 1024;

std::runtime_error sys_error(const std::string& what) {
    return std::runtime_error(what + ": " + std::strerror(errno));
}

void make_nonblocking_cloexec(int fd) {
    // Non-blocking: worker threads wait in epoll and only then accept, so a
    // lost race returns EAGAIN instead of blocking where SIGTERM cannot reach.
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) throw sys_error("fcntl");
    ::fcntl(fd, F_SETFD, FD_CLOEXEC);
}

// True when something accepts connections on `path` (a running pool).
bool unix_socket_in_use(const std::string& path) {
    const int probe = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (probe < 0) return false;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    const bool in_use = ::connect(probe, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(probe);
    return in_use;
}

}  // namespace

std::vector<std::string> check_listen_address(const Config& config) {
    std::vector<std::string> warnings;
    const std::string where = config.origin_of("server", "listen");
    if (config.listen.rfind("unix:", 0) == 0) {
        const std::string path = config.listen.substr(5);
        if (path.size() >= sizeof(sockaddr_un{}.sun_path)) {
            throw ConfigError(where + ": listen: the socket path " + path + " is " +
                              std::to_string(path.size()) +
                              " bytes; a unix socket path has at most " +
                              std::to_string(sizeof(sockaddr_un{}.sun_path) - 1));
        }
        const auto slash = path.find_last_of('/');
        const std::string dir = slash == 0 ? "/" : path.substr(0, slash);
        struct stat st {};
        if (slash != std::string::npos && (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))) {
            warnings.push_back("listen: the socket directory " + dir +
                               " does not exist (yet); it must exist when the pool starts (" +
                               where + ")");
        }
    }
    if (!config.socket_group.empty() && !::getgrnam(config.socket_group.c_str())) {
        throw ConfigError(config.origin_of("server", "socket_group") +
                          ": socket_group: no group named " + config.socket_group);
    }
    return warnings;
}

ListenSocket ListenSocket::open(const Config& config) {
    check_listen_address(config);  // before bind: an error leaves no stale socket
    return open(config, config.listen);
}

ListenSocket ListenSocket::open(const Config& config, const std::string& listen) {
    if (listen == "fd:0") {
        int accepting = 0;
        socklen_t len = sizeof accepting;
        if (::getsockopt(0, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &len) < 0 || !accepting) {
            throw std::runtime_error("listen = fd:0, but fd 0 is not a listening socket");
        }
        make_nonblocking_cloexec(0);
        return ListenSocket(0, "", "fd 0 (inherited)");
    }
    if (listen.rfind("unix:", 0) == 0) {
        const std::string path = listen.substr(5);
        sockaddr_un addr{};
        if (path.size() >= sizeof addr.sun_path)
            throw std::runtime_error("socket path too long: " + path);
        struct stat st {};
        if (::lstat(path.c_str(), &st) == 0) {
            if (!S_ISSOCK(st.st_mode))
                throw std::runtime_error(path + " exists and is not a socket");
            if (unix_socket_in_use(path)) {
                throw std::runtime_error("another process is already listening on " + path);
            }
            ::unlink(path.c_str());  // stale socket of a pool that died
        }
        const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        if (fd < 0) throw sys_error("socket");
        addr.sun_family = AF_UNIX;
        std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
        // Create it inaccessible, then open it up to the configured group only.
        const mode_t old_umask = ::umask(0177);
        const int rc = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
        ::umask(old_umask);
        if (rc < 0) {
            ::close(fd);
            throw sys_error("bind " + path);
        }
        ListenSocket sock(fd, path, "unix:" + path);
        if (!config.socket_group.empty()) {
            const group* g = ::getgrnam(config.socket_group.c_str());
            if (!g) throw std::runtime_error("socket_group: no group named " + config.socket_group);
            if (::chown(path.c_str(), static_cast<uid_t>(-1), g->gr_gid) < 0) {
                throw sys_error("chown " + path + " to group " + config.socket_group);
            }
        }
        if (::chmod(path.c_str(), config.socket_mode) < 0) throw sys_error("chmod " + path);
        if (::listen(fd, kBacklog) < 0) throw sys_error("listen " + path);
        make_nonblocking_cloexec(fd);
        return sock;
    }
    // 127.0.0.1:PORT (the config loader accepts nothing else).
    const int port = std::stoi(listen.substr(listen.find(':') + 1));
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw sys_error("socket");
    ListenSocket sock(fd, "", listen);
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0)
        throw sys_error("bind " + listen);
    if (::listen(fd, kBacklog) < 0) throw sys_error("listen " + listen);
    make_nonblocking_cloexec(fd);
    return sock;
}

ListenSocket::ListenSocket(ListenSocket&& other) noexcept
    : fd_(other.fd_),
      unix_path_(std::move(other.unix_path_)),
      description_(std::move(other.description_)) {
    other.fd_ = -1;
    other.unix_path_.clear();
}

ListenSocket::~ListenSocket() {
    if (fd_ > 0) ::close(fd_);  // fd 0 is the inherited socket: leave it to its owner
}

void ListenSocket::unlink_path() {
    if (!unix_path_.empty()) ::unlink(unix_path_.c_str());
}

}  // namespace mfo
