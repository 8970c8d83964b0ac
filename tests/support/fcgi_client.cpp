#include "fcgi_client.hpp"

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace mfo::test {

namespace {

// Record types and roles of the FastCGI 1.0 specification.
constexpr std::uint8_t kBeginRequest = 1;
constexpr std::uint8_t kEndRequest = 3;
constexpr std::uint8_t kParams = 4;
constexpr std::uint8_t kStdin = 5;
constexpr std::uint8_t kStdout = 6;
constexpr std::uint8_t kStderr = 7;
constexpr std::uint16_t kRequestId = 1;
constexpr std::size_t kMaxContent = 65535;

class Socket {
  public:
    Socket() : fd_(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
        if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    }
    ~Socket() { ::close(fd_); }
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    int get() const { return fd_; }

  private:
    int fd_;
};

void append_record(std::string& out, std::uint8_t type, const std::string& content) {
    const std::size_t padding = (8 - content.size() % 8) % 8;
    const char header[8] = {1,
                            static_cast<char>(type),
                            static_cast<char>(kRequestId >> 8),
                            static_cast<char>(kRequestId & 0xff),
                            static_cast<char>((content.size() >> 8) & 0xff),
                            static_cast<char>(content.size() & 0xff),
                            static_cast<char>(padding),
                            0};
    out.append(header, sizeof header);
    out += content;
    out.append(padding, '\0');
}

// A stream (params, stdin) as records of at most 64 KiB, ended by an empty one.
void append_stream(std::string& out, std::uint8_t type, const std::string& data) {
    for (std::size_t pos = 0; pos < data.size(); pos += kMaxContent) {
        append_record(out, type, data.substr(pos, kMaxContent));
    }
    append_record(out, type, "");
}

void append_length(std::string& out, std::size_t n) {
    if (n < 128) {
        out += static_cast<char>(n);
    } else {
        out += static_cast<char>(((n >> 24) & 0x7f) | 0x80);
        out += static_cast<char>((n >> 16) & 0xff);
        out += static_cast<char>((n >> 8) & 0xff);
        out += static_cast<char>(n & 0xff);
    }
}

void send_all(int fd, const std::string& data) {
    std::size_t sent = 0;
    while (sent < data.size()) {
        const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw std::runtime_error(std::string("FastCGI send: ") + std::strerror(errno));
        sent += static_cast<std::size_t>(n);
    }
}

// False at a clean end of stream before the first byte.
bool recv_exact(int fd, char* buf, std::size_t n) {
    std::size_t got = 0;
    while (got < n) {
        const ssize_t r = ::recv(fd, buf + got, n - got, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) throw std::runtime_error(std::string("FastCGI recv: ") + std::strerror(errno));
        if (r == 0) {
            if (got == 0) return false;
            throw std::runtime_error("FastCGI: connection closed inside a record");
        }
        got += static_cast<std::size_t>(r);
    }
    return true;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return "";
    return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

void parse_cgi_output(FcgiReply& reply) {
    const auto end = reply.raw.find("\r\n\r\n");
    reply.has_blank_line = end != std::string::npos;
    const std::string head = reply.raw.substr(0, end);
    reply.body = reply.has_blank_line ? reply.raw.substr(end + 4) : "";
    std::size_t pos = 0;
    while (pos < head.size()) {
        auto eol = head.find("\r\n", pos);
        if (eol == std::string::npos) eol = head.size();
        const std::string line = head.substr(pos, eol - pos);
        pos = eol + 2;
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        reply.headers.emplace(lower(trim(line.substr(0, colon))), trim(line.substr(colon + 1)));
    }
    const std::string status = reply.header("status");
    reply.status = status.empty() ? 200 : std::atoi(status.c_str());
}

}  // namespace

std::string FcgiReply::header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
}

FcgiParams fcgi_params(const std::string& method, const std::string& uri, const FcgiParams& extra) {
    const auto q = uri.find('?');
    FcgiParams params = {
        {"GATEWAY_INTERFACE", "CGI/1.1"},
        {"SERVER_SOFTWARE", "nginx"},
        {"SERVER_PROTOCOL", "HTTP/1.1"},
        {"REQUEST_METHOD", method},
        {"REQUEST_URI", uri},
        {"DOCUMENT_URI", uri.substr(0, q)},
        {"SCRIPT_NAME", uri.substr(0, q)},
        {"QUERY_STRING", q == std::string::npos ? "" : uri.substr(q + 1)},
        {"CONTENT_TYPE", ""},
        {"CONTENT_LENGTH", ""},
        {"REMOTE_ADDR", "127.0.0.1"},
        {"REMOTE_PORT", "40000"},
        {"SERVER_ADDR", "127.0.0.1"},
        {"SERVER_PORT", "80"},
        {"SERVER_NAME", "localhost"},
        {"HTTP_HOST", "localhost"},
    };
    for (const auto& [k, v] : extra) {
        auto it =
            std::find_if(params.begin(), params.end(), [&](const auto& p) { return p.first == k; });
        if (it != params.end()) {
            it->second = v;
        } else {
            params.emplace_back(k, v);
        }
    }
    return params;
}

FcgiReply fcgi_request(const std::string& socket_path, const FcgiParams& params,
                       const std::string& body, std::chrono::milliseconds timeout, int role) {
    Socket sock;
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
    ::setsockopt(sock.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(sock.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (socket_path.size() >= sizeof addr.sun_path)
        throw std::runtime_error("socket path too long");
    std::strncpy(addr.sun_path, socket_path.c_str(), sizeof addr.sun_path - 1);
    if (::connect(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        throw std::runtime_error("FastCGI connect " + socket_path + ": " + std::strerror(errno));
    }

    std::string out;
    const char begin[8] = {static_cast<char>((role >> 8) & 0xff),
                           static_cast<char>(role & 0xff),
                           0,
                           0,
                           0,
                           0,
                           0,
                           0};  // flags 0: the server closes the connection
    append_record(out, kBeginRequest, std::string(begin, sizeof begin));
    std::string pairs;
    for (const auto& [name, value] : params) {
        append_length(pairs, name.size());
        append_length(pairs, value.size());
        pairs += name;
        pairs += value;
    }
    append_stream(out, kParams, pairs);
    append_stream(out, kStdin, body);
    send_all(sock.get(), out);

    FcgiReply reply;
    for (;;) {
        unsigned char header[8];
        if (!recv_exact(sock.get(), reinterpret_cast<char*>(header), sizeof header)) {
            throw std::runtime_error("FastCGI: connection closed before FCGI_END_REQUEST");
        }
        const std::size_t length = (std::size_t{header[4]} << 8) | header[5];
        std::string content(length + header[6], '\0');
        if (!content.empty() && !recv_exact(sock.get(), content.data(), content.size())) {
            throw std::runtime_error("FastCGI: connection closed inside a record");
        }
        content.resize(length);
        if (header[1] == kStdout) {
            reply.raw += content;
        } else if (header[1] == kStderr) {
            reply.errors += content;
        } else if (header[1] == kEndRequest) {
            break;
        }
    }
    parse_cgi_output(reply);
    return reply;
}

}  // namespace mfo::test
