#pragma once
// How many connections wait in a listening socket's accept queue, as `ss -l`
// shows it: TCP_INFO for TCP, sock_diag (netlink) for unix sockets.

namespace mfo {

struct ListenQueue {
    long long waiting = -1;  // -1: unknown
    long long limit = -1;
};

ListenQueue read_listen_queue(int listen_fd);

}  // namespace mfo
