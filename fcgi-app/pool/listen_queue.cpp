#include "pool/listen_queue.hpp"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

namespace mfo {

namespace {

ListenQueue tcp_queue(int fd) {
    tcp_info info{};
    socklen_t len = sizeof info;
    if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return {};
    // For a listening socket the kernel reports the accept queue here.
    return {static_cast<long long>(info.tcpi_unacked), static_cast<long long>(info.tcpi_sacked)};
}

ListenQueue unix_queue(int fd) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) return {};
    const int nl = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (nl < 0) return {};
    struct {
        nlmsghdr header;
        unix_diag_req request;
    } query{};
    query.header.nlmsg_len = sizeof query;
    query.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    query.header.nlmsg_flags = NLM_F_REQUEST;
    query.request.sdiag_family = AF_UNIX;
    query.request.udiag_states = 1u << 10;  // TCP_LISTEN
    query.request.udiag_ino = static_cast<unsigned>(st.st_ino);
    query.request.udiag_cookie[0] = query.request.udiag_cookie[1] = ~0u;  // any
    query.request.udiag_show = UDIAG_SHOW_RQLEN;
    ListenQueue out;
    timeval timeout{0, 200'000};  // the kernel answers at once; never hang on it
    ::setsockopt(nl, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    if (::send(nl, &query, sizeof query, 0) == static_cast<ssize_t>(sizeof query)) {
        alignas(nlmsghdr) char buf[1024];
        const ssize_t n = ::recv(nl, buf, sizeof buf, 0);
        auto* h = reinterpret_cast<nlmsghdr*>(buf);
        if (n > 0 && NLMSG_OK(h, static_cast<unsigned>(n)) &&
            h->nlmsg_type == SOCK_DIAG_BY_FAMILY) {
            auto* msg = static_cast<unix_diag_msg*>(NLMSG_DATA(h));
            int attr_len = static_cast<int>(h->nlmsg_len - NLMSG_LENGTH(sizeof *msg));
            for (auto* a = reinterpret_cast<rtattr*>(msg + 1); RTA_OK(a, attr_len);
                 a = RTA_NEXT(a, attr_len)) {
                if (a->rta_type != UNIX_DIAG_RQLEN) continue;
                unix_diag_rqlen rq{};
                std::memcpy(&rq, RTA_DATA(a), sizeof rq);
                // Listening: the pending connections and the backlog.
                out = {static_cast<long long>(rq.udiag_rqueue),
                       static_cast<long long>(rq.udiag_wqueue)};
            }
        }
    }
    ::close(nl);
    return out;
}

}  // namespace

ListenQueue read_listen_queue(int listen_fd) {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (::getsockname(listen_fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return {};
    if (addr.ss_family == AF_UNIX) return unix_queue(listen_fd);
    if (addr.ss_family == AF_INET || addr.ss_family == AF_INET6) return tcp_queue(listen_fd);
    return {};
}

}  // namespace mfo
