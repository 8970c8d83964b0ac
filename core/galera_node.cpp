#include "galera_node.hpp"

#include <cppconn/connection.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>

#include <memory>

namespace mfo {

std::string GaleraNodeState::describe() const {
    if (!galera) return "not a Galera node";
    const std::string status = cluster_status.empty() ? "unknown" : cluster_status;
    std::string out = cluster_status == "Primary"
                          ? std::string(ready ? "a ready member of the Primary component"
                                              : "in the Primary component but not ready")
                          : "not part of the Primary component";
    out += " (wsrep_cluster_status " + status + ", wsrep_ready " + (ready ? "ON" : "OFF");
    if (!local_state.empty()) out += ", " + local_state;
    return out + ")";
}

GaleraNodeState read_galera_node_state(sql::Connection& connection) {
    GaleraNodeState state;
    std::unique_ptr<sql::Statement> st(connection.createStatement());
    {
        // A plain MariaDB also has these variables (wsrep_ready OFF): look
        // at wsrep_on first.
        std::unique_ptr<sql::ResultSet> rs(st->executeQuery("SELECT @@global.wsrep_on"));
        state.galera = rs->next() && rs->getInt(1) != 0;
    }
    if (!state.galera) return state;
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery(
        "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_ready', 'wsrep_cluster_status', "
        "'wsrep_local_state_comment', 'wsrep_cluster_size')"));
    state.ready = false;
    while (rs->next()) {
        const std::string name = rs->getString(1).asStdString();
        const std::string value = rs->getString(2).asStdString();
        if (name == "wsrep_ready") state.ready = value == "ON";
        if (name == "wsrep_cluster_status") state.cluster_status = value;
        if (name == "wsrep_local_state_comment") state.local_state = value;
        if (name == "wsrep_cluster_size") state.cluster_size = std::atoi(value.c_str());
    }
    return state;
}

bool is_retryable_transaction_error(int code) {
    return code == 1213 || code == kErrWsrepNotReady;
}

}  // namespace mfo
