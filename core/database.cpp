#include "database.hpp"

#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <cppconn/statement.h>
#include <mysql_driver.h>

#include <mutex>

#include "ops_counters.hpp"
#include "request_timing.hpp"

namespace mfo {

namespace {

sql::mysql::MySQL_Driver* driver() {
    static std::once_flag once;
    static sql::mysql::MySQL_Driver* instance = nullptr;
    std::call_once(once, [] { instance = sql::mysql::get_mysql_driver_instance(); });
    return instance;
}

}  // namespace

bool is_connection_error(int code) {
    switch (code) {
        case 2002:  // CR_CONNECTION_ERROR (local socket)
        case 2003:  // CR_CONN_HOST_ERROR
        case 2005:  // CR_UNKNOWN_HOST
        case 2006:  // CR_SERVER_GONE_ERROR
        case 2013:  // CR_SERVER_LOST
        case 2055:  // CR_SERVER_LOST_EXTENDED
        case 1053:  // ER_SERVER_SHUTDOWN
        case 1927:  // ER_CONNECTION_KILLED
        case 4031:  // ER_CLIENT_INTERACTION_TIMEOUT
            return true;
        default:
            return false;
    }
}

void init_database_driver() { (void)driver(); }

DbThreadScope::DbThreadScope() { driver()->threadInit(); }
DbThreadScope::~DbThreadScope() { driver()->threadEnd(); }

Database::Database(DatabaseConfig config, DbAccount account)
    : config_(std::move(config)), account_(account) {}

Database::~Database() { disconnect(); }

void Database::disconnect() {
    statements_.clear();  // statements before their connection
    try {
        connection_.reset();
    } catch (const std::exception&) {
        // Closing a dead connection may throw; it is gone either way.
    }
}

void Database::ensure_connected() {
    if (connection_ && !connection_->isClosed()) return;
    disconnect();
    sql::ConnectOptionsMap options;
    const bool admin = account_ == DbAccount::admin;
    options["hostName"] = config_.socket.empty()
                              ? sql::SQLString("tcp://" + config_.host + ":" +
                                               std::to_string(config_.port))
                              : sql::SQLString("unix://" + config_.socket);
    options["userName"] = sql::SQLString(admin ? config_.admin_user : config_.user);
    options["password"] = sql::SQLString(admin ? config_.admin_password : config_.password);
    options["schema"] = sql::SQLString(config_.name);
    options["OPT_CONNECT_TIMEOUT"] = config_.connect_timeout;
    // Bounded reads and writes: a hung server must not hang a worker thread.
    options["OPT_READ_TIMEOUT"] = 30;
    options["OPT_WRITE_TIMEOUT"] = 30;
    options["OPT_RECONNECT"] = false;  // we reconnect ourselves, re-preparing statements
    options["OPT_CHARSET_NAME"] = sql::SQLString("utf8mb4");
    try {
        connection_.reset(driver()->connect(options));
        std::unique_ptr<sql::Statement> st(connection_->createStatement());
        st->execute("SET time_zone = '+00:00'");
        st->execute(
            "SET SESSION sql_mode = 'STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,"
            "NO_ENGINE_SUBSTITUTION,NO_ZERO_DATE,NO_ZERO_IN_DATE'");
        if (had_connection_) ops_count(OpsCounter::db_reconnects);
        had_connection_ = true;
    } catch (const sql::SQLException& e) {
        disconnect();
        throw DbUnavailable(std::string("cannot connect to the database: ") + e.what());
    }
}

sql::Connection& Database::connection() {
    ensure_connected();
    return *connection_;
}

sql::PreparedStatement& Database::prepare(const std::string& text) {
    ensure_connected();
    auto it = statements_.find(text);
    if (it == statements_.end()) {
        std::unique_ptr<sql::PreparedStatement> st(connection_->prepareStatement(text));
        it = statements_.emplace(text, std::move(st)).first;
    }
    it->second->clearParameters();
    return *it->second;
}

void Database::execute(const std::string& text) {
    std::unique_ptr<sql::Statement> st(connection().createStatement());
    st->execute(text);
}

void Database::run(const std::function<void(Database&)>& body, bool retry) {
    RequestTimings& timings = request_timings();
    const PhaseTimer timer(timings.db_us);
    ++timings.db_calls;
    for (int attempt = 0;; ++attempt) {
        try {
            ensure_connected();
            body(*this);
            return;
        } catch (const sql::SQLException& e) {
            ops_count(OpsCounter::db_errors);
            if (!is_connection_error(e.getErrorCode())) throw;
            disconnect();
            if (!retry || attempt > 0) {
                throw DbUnavailable(std::string("database connection lost: ") + e.what());
            }
        } catch (const DbUnavailable&) {
            ops_count(OpsCounter::db_errors);
            disconnect();
            if (!retry || attempt > 0) throw;
        }
    }
}

void Database::read(const std::function<void(Database&)>& body) { run(body, true); }

void Database::ensure_live() {
    // A write is never retried, so it must not be the statement that finds
    // out the server restarted since this connection was last used: ping
    // first (one cheap round trip; writes are rare on the request path).
    if (connection_ && !connection_->isClosed()) {
        bool alive = false;
        try {
            alive = connection_->isValid();
        } catch (const sql::SQLException&) {
        }
        if (!alive) disconnect();
    }
}

void Database::write(const std::function<void(Database&)>& body) {
    ensure_live();
    run(body, false);
}

void Database::transaction(const std::function<void(Database&)>& body) {
    ensure_live();
    run(
        [&](Database& db) {
            db.execute("START TRANSACTION");
            try {
                body(db);
            } catch (...) {
                try {
                    db.execute("ROLLBACK");
                } catch (const std::exception&) {
                    // A lost connection rolls back by itself.
                }
                throw;
            }
            db.execute("COMMIT");
        },
        false);
}

}  // namespace mfo
