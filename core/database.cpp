#include "database.hpp"

#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <cppconn/statement.h>
#include <mysql_driver.h>

#include <chrono>
#include <mutex>

#include "db_circuit_breaker.hpp"
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

void init_database_driver() {
    (void)driver();
}

DbTimeouts timeouts_of(const DatabaseConfig& config, DbAccount account) {
    // The DDL account (the tools) waits as long as a statement runs unless
    // admin_read_timeout says otherwise: an ALTER of a big table takes minutes.
    const int read = account == DbAccount::admin ? config.admin_read_timeout : config.read_timeout;
    return DbTimeouts{config.connect_timeout, read, config.write_timeout};
}

DbThreadScope::DbThreadScope() { driver()->threadInit(); }
DbThreadScope::~DbThreadScope() { driver()->threadEnd(); }

Database::Database(DatabaseConfig config, DbAccount account)
    : Database(config, account, timeouts_of(config, account)) {}

Database::Database(DatabaseConfig config, DbAccount account, DbTimeouts timeouts)
    : config_(std::move(config)), account_(account), timeouts_(timeouts) {}

Database::~Database() {
    disconnect();
}

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
    options["hostName"] =
        config_.socket.empty()
            ? sql::SQLString("tcp://" + config_.host + ":" + std::to_string(config_.port))
            : sql::SQLString("unix://" + config_.socket);
    options["userName"] = sql::SQLString(admin ? config_.admin_user : config_.user);
    options["password"] = sql::SQLString(admin ? config_.admin_password : config_.password);
    options["schema"] = sql::SQLString(config_.name);
    // Bounded waits: a hung server must not hang a worker thread.
    if (timeouts_.connect_s > 0) options["OPT_CONNECT_TIMEOUT"] = timeouts_.connect_s;
    if (timeouts_.read_s > 0) options["OPT_READ_TIMEOUT"] = timeouts_.read_s;
    if (timeouts_.write_s > 0) options["OPT_WRITE_TIMEOUT"] = timeouts_.write_s;
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

namespace {

using Clock = std::chrono::steady_clock;

// A failed attempt that took this long waited out a timeout (a refused or
// reset connection fails in microseconds): retrying it would double the wait.
constexpr auto kTimedOut = std::chrono::milliseconds(900);

}  // namespace

void Database::run(const std::function<void(Database&)>& body, bool retry, bool ping_first) {
    RequestTimings& timings = request_timings();
    const PhaseTimer timer(timings.db_us);
    ++timings.db_calls;
    using Admission = DbCircuitBreaker::Admission;
    const Admission admission = breaker_ ? breaker_->admit() : Admission::go;
    if (admission == Admission::refuse) {
        throw DbCircuitOpen("database circuit open: not answering within its timeouts");
    }
    auto failed = [&](Clock::time_point started, const std::string& what) {
        const bool timed_out = Clock::now() - started >= kTimedOut;
        if (breaker_) breaker_->record_failure(admission, timed_out, what);
        return timed_out;
    };
    for (int attempt = 0;; ++attempt) {
        const auto started = Clock::now();
        try {
            if (ping_first && attempt == 0) ensure_live();
            ensure_connected();
            body(*this);
            if (breaker_) breaker_->record_success(admission);
            return;
        } catch (const sql::SQLException& e) {
            ops_count(OpsCounter::db_errors);
            if (!is_connection_error(e.getErrorCode())) {
                if (breaker_) breaker_->record_success(admission);  // it answered
                throw;
            }
            disconnect();
            const std::string what = std::string("database connection lost: ") + e.what();
            if (!retry || attempt > 0 || Clock::now() - started >= kTimedOut) {
                failed(started, what);
                throw DbUnavailable(what);
            }
        } catch (const DbUnavailable& e) {
            disconnect();
            if (!retry || attempt > 0 || Clock::now() - started >= kTimedOut) {
                failed(started, e.what());
                throw;
            }
        } catch (...) {
            if (breaker_) breaker_->record_neutral(admission);
            throw;
        }
    }
}

void Database::read(const std::function<void(Database&)>& body) { run(body, true, false); }

void Database::ensure_live() {
    // A write is never retried, so it must not be the statement that finds
    // out the server restarted since this connection was last used: ping
    // first (one cheap round trip; writes are rare on the request path).
    if (connection_ && !connection_->isClosed()) {
        const auto started = Clock::now();
        bool alive = false;
        try {
            alive = connection_->isValid();
        } catch (const sql::SQLException&) {
        }
        if (!alive) {
            disconnect();
            // A ping that waited out the read timeout: the server hangs, and
            // reconnecting would only wait again.
            if (Clock::now() - started >= kTimedOut) {
                throw DbUnavailable("database not answering (ping timed out)");
            }
        }
    }
}

void Database::write(const std::function<void(Database&)>& body) { run(body, false, true); }

void Database::transaction(const std::function<void(Database&)>& body) {
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
        false, true);
}

}  // namespace mfo
