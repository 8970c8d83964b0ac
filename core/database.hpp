#pragma once
// One MariaDB connection (Connector/C++ 1.1) with its prepared statements.
// Not thread-safe: each worker thread owns one Database.

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <chrono>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "config.hpp"
#include "galera_node.hpp"

namespace sql {
class Connection;
}

namespace mfo {

// The database cannot be reached (down, restarting, network); maps to 503.
class DbUnavailable : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Refused at once by an open circuit breaker (the server is not answering).
class DbCircuitOpen : public DbUnavailable {
  public:
    using DbUnavailable::DbUnavailable;
};

enum class DbAccount { app, admin };

// Seconds a connection waits to connect, for a read and for a write; 0: no
// limit. The pool's are [database] connect/read/write_timeout; a tool's
// DDL connection (a migration may run for minutes) passes its own.
struct DbTimeouts {
    int connect_s = 3;
    int read_s = 5;
    int write_s = 5;
};
DbTimeouts timeouts_of(const DatabaseConfig& config, DbAccount account);

class DbCircuitBreaker;

class Database {
  public:
    // With the timeouts of `config`.
    Database(DatabaseConfig config, DbAccount account);
    Database(DatabaseConfig config, DbAccount account, DbTimeouts timeouts);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    // Runs a read. If the connection was lost, reconnects (to the next of
    // `[database] hosts` when there are several), re-prepares and tries once
    // more; throws DbUnavailable when the server stays away.
    void read(const std::function<void(Database&)>& body);
    // Runs a write, not retried after a lost connection: the outcome is
    // unknown, so the caller gets DbUnavailable (503) and the user retries.
    // Retried from its start (a few times) when the server says it did not
    // happen: 1213 (a deadlock, or a Galera certification failure) and 1047
    // (a node that left the cluster). So a body of several statements must
    // be a transaction(), and a body must not keep state across runs.
    void write(const std::function<void(Database&)>& body);
    // Runs `body` in a transaction (a write): commits on return, rolls back
    // on an exception; retried like write().
    void transaction(const std::function<void(Database&)>& body);

    // `sql`, made a causal read on a Galera node (it waits until the node
    // has applied every write the cluster committed before it): for reads
    // that must see a write just made through another node, such as a
    // session created by another app host. Unchanged on a plain server.
    // Valid inside a read()/write()/transaction() body.
    std::string causal(const std::string& sql) const;
    // Whether the connected server is a Galera node, and its state when the
    // connection was made (call inside a body).
    bool galera() const { return node_.galera; }
    // The server the connection uses ("127.0.0.1:3306"); empty if none.
    std::string endpoint() const;
    // The connected server turned out unusable (not Primary, not ready): drop
    // the connection and try the others first for a while.
    void mark_endpoint_down(const std::string& why);

    // A statement prepared once per connection and reused; parameters are
    // cleared before it is handed out.
    sql::PreparedStatement& prepare(const std::string& sql);
    // Runs a statement without parameters (DDL, SET, ...).
    void execute(const std::string& sql);
    sql::Connection& connection();
    // Drops the connection (the next use reconnects).
    void disconnect();

    const DatabaseConfig& config() const { return config_; }
    const DbTimeouts& timeouts() const { return timeouts_; }

    // read(), write() and transaction() go through `breaker` (shared by the
    // connections of a process; it must outlive this Database).
    void use_circuit_breaker(DbCircuitBreaker& breaker) { breaker_ = &breaker; }

  private:
    void ensure_connected();
    void connect_to(const DbEndpoint& endpoint);
    void ensure_live();
    void fail_back_when_due();
    void run(const std::function<void(Database&)>& body, bool retry, bool ping_first);

    DatabaseConfig config_;
    DbAccount account_;
    DbTimeouts timeouts_;
    DbCircuitBreaker* breaker_ = nullptr;
    std::vector<DbEndpoint> endpoints_;
    std::size_t endpoint_index_ = 0;  // of the connected server
    std::chrono::steady_clock::time_point connected_at_{};
    GaleraNodeState node_;
    std::unique_ptr<sql::Connection> connection_;
    bool had_connection_ = false;  // the next connect is a reconnect (/status)
    std::unordered_map<std::string, std::unique_ptr<sql::PreparedStatement>> statements_;
};

// True for the client errors that mean the connection is gone or cannot be
// made (2002, 2003, 2006, 2013, ...), as opposed to errors in the statement.
bool is_connection_error(int mysql_error_code);

// Initialises the driver once (call before starting threads) and registers a
// thread with the client library for its lifetime.
void init_database_driver();
class DbThreadScope {
  public:
    DbThreadScope();
    ~DbThreadScope();
    DbThreadScope(const DbThreadScope&) = delete;
    DbThreadScope& operator=(const DbThreadScope&) = delete;
};

}  // namespace mfo
