#pragma once
// Whether the server behind a connection may serve: on a Galera node,
// `SELECT 1` still succeeds after the node lost quorum, while every table
// access fails with 1047; what counts is wsrep_ready and the Primary
// component. A server without wsrep is always usable.

#include <string>

namespace sql {
class Connection;
}

namespace mfo {

struct GaleraNodeState {
    bool galera = false;         // wsrep_on
    bool ready = true;           // wsrep_ready
    std::string cluster_status;  // wsrep_cluster_status: Primary, non-Primary, Disconnected
    std::string local_state;     // wsrep_local_state_comment: Synced, Donor/Desynced, Joining...
    int cluster_size = 0;        // wsrep_cluster_size

    // Ready and in the Primary component (or no Galera at all).
    bool usable() const { return !galera || (ready && cluster_status == "Primary"); }
    // "not part of the Primary component (wsrep_cluster_status non-Primary,
    // wsrep_ready OFF, Initialized)": for logs and errors.
    std::string describe() const;
};

// Two round trips on a Galera node, one on a plain server. Throws
// sql::SQLException as the connection does.
GaleraNodeState read_galera_node_state(sql::Connection& connection);

// MariaDB error codes a Galera cluster answers for a transaction that did not
// happen and may be run again from its start: 1213 (certification failure or
// brute-force abort, reported as a deadlock; also a plain InnoDB deadlock)
// and 1047 (the node is not ready: it left the Primary component).
bool is_retryable_transaction_error(int mysql_error_code);
constexpr int kErrWsrepNotReady = 1047;

}  // namespace mfo
