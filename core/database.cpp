#include "database.hpp"

#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <cppconn/statement.h>
#include <mysql_driver.h>

#include <chrono>
#include <mutex>
#include <random>
#include <thread>

#include "db_circuit_breaker.hpp"
#include "db_endpoints.hpp"
#include "db_host_health.hpp"
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

DbThreadScope::DbThreadScope() {
    driver()->threadInit();
}
DbThreadScope::~DbThreadScope() {
    driver()->threadEnd();
}

Database::Database(DatabaseConfig config, DbAccount account)
    : Database(config, account, timeouts_of(config, account)) {}

Database::Database(DatabaseConfig config, DbAccount account, DbTimeouts timeouts)
    : config_(std::move(config)),
      account_(account),
      timeouts_(timeouts),
      endpoints_(endpoints_of(config_)) {}

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

void Database::connect_to(const DbEndpoint& endpoint) {
    sql::ConnectOptionsMap options;
    const bool admin = account_ == DbAccount::admin;
    options["hostName"] = endpoint.socket.empty()
                              ? sql::SQLString("tcp://" + endpoint_label(endpoint))
                              : sql::SQLString("unix://" + endpoint.socket);
    options["userName"] = sql::SQLString(admin ? config_.admin_user : config_.user);
    options["password"] = sql::SQLString(admin ? config_.admin_password : config_.password);
    options["schema"] = sql::SQLString(config_.name);
    // Bounded waits: a hung server must not hang a worker thread.
    if (timeouts_.connect_s > 0) options["OPT_CONNECT_TIMEOUT"] = timeouts_.connect_s;
    if (timeouts_.read_s > 0) options["OPT_READ_TIMEOUT"] = timeouts_.read_s;
    if (timeouts_.write_s > 0) options["OPT_WRITE_TIMEOUT"] = timeouts_.write_s;
    options["OPT_RECONNECT"] = false;  // we reconnect ourselves, re-preparing statements
    options["OPT_CHARSET_NAME"] = sql::SQLString("utf8mb4");
    connection_.reset(driver()->connect(options));
    std::unique_ptr<sql::Statement> st(connection_->createStatement());
    st->execute("SET time_zone = '+00:00'");
    st->execute(
        "SET SESSION sql_mode = 'STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,"
        "NO_ENGINE_SUBSTITUTION,NO_ZERO_DATE,NO_ZERO_IN_DATE'");
    node_ = read_galera_node_state(*connection_);
}

void Database::ensure_connected() {
    if (connection_ && !connection_->isClosed()) return;
    disconnect();
    DbHostHealth& health = DbHostHealth::process();
    const bool several = endpoints_.size() > 1;
    std::string failures;
    for (const std::size_t index : health.order(endpoints_)) {
        const DbEndpoint& endpoint = endpoints_[index];
        std::string why;
        try {
            connect_to(endpoint);
            if (node_.usable()) {
                endpoint_index_ = index;
                connected_at_ = std::chrono::steady_clock::now();
                if (had_connection_) ops_count(OpsCounter::db_reconnects);
                had_connection_ = true;
                health.report_choice(endpoints_, index);
                return;
            }
            why = node_.describe();
        } catch (const sql::SQLException& e) {
            why = e.what();
        }
        disconnect();
        if (several) health.mark_down(endpoint, why);
        if (!failures.empty()) failures += "; ";
        failures += several ? endpoint_label(endpoint) + ": " + why : why;
    }
    throw DbUnavailable("cannot connect to the database: " + failures);
}

std::string Database::endpoint() const {
    return connection_ ? endpoint_label(endpoints_[endpoint_index_]) : std::string();
}

void Database::mark_endpoint_down(const std::string& why) {
    if (connection_ && endpoints_.size() > 1) {
        DbHostHealth::process().mark_down(endpoints_[endpoint_index_], why);
    }
    disconnect();
}

std::string Database::causal(const std::string& text) const {
    // Per statement, not per connection: the wait (a round of the group
    // communication) is paid only by the reads that need it.
    return node_.galera ? "SET STATEMENT wsrep_sync_wait = 1 FOR " + text : text;
}

void Database::fail_back_when_due() {
    // After a failover the connection stays on the fallback node; once a
    // preferred one has not failed for a while, the next unit of work (never
    // one in progress) goes back to it, so app hosts spread over the nodes
    // again after a node rejoins.
    constexpr auto kFailBackAfter = std::chrono::seconds(30);
    if (!connection_ || endpoint_index_ == 0) return;
    if (std::chrono::steady_clock::now() - connected_at_ < kFailBackAfter) return;
    DbHostHealth& health = DbHostHealth::process();
    for (std::size_t i = 0; i < endpoint_index_; ++i) {
        if (!health.is_down(endpoints_[i])) {
            disconnect();
            return;
        }
    }
    connected_at_ = std::chrono::steady_clock::now();  // look again later
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

// Re-runs of a transaction the server rolled back or refused (1213, 1047).
constexpr int kTransactionReruns = 3;

// Before a re-run: a few milliseconds, growing and jittered, so that two
// writers that collided on a row do not collide again in lockstep.
void rerun_pause(int rerun) {
    thread_local std::minstd_rand random(std::random_device{}());
    std::uniform_int_distribution<int> jitter(0, 4 * rerun);
    std::this_thread::sleep_for(std::chrono::milliseconds(2 * rerun + jitter(random)));
}

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
    // Each kind of retry has its own budget: one reconnect for a read, a
    // few re-runs of a transaction the server says did not happen.
    int reconnects = 0;
    int reruns = 0;
    for (bool first = true;; first = false) {
        const auto started = Clock::now();
        try {
            if (first) fail_back_when_due();
            if (ping_first && first) ensure_live();
            ensure_connected();
            body(*this);
            if (breaker_) breaker_->record_success(admission);
            return;
        } catch (const sql::SQLException& e) {
            ops_count(OpsCounter::db_errors);
            const int code = e.getErrorCode();
            if (is_retryable_transaction_error(code) && reruns < kTransactionReruns) {
                // Rolled back by the server (1213: certification failure or
                // deadlock) or refused (1047: the node left the Primary
                // component; the next connection goes to another node).
                ++reruns;
                if (code == kErrWsrepNotReady) mark_endpoint_down(e.what());
                rerun_pause(reruns);
                continue;
            }
            if (!is_connection_error(code)) {
                if (breaker_) breaker_->record_success(admission);  // it answered
                throw;
            }
            mark_endpoint_down(e.what());
            const std::string what = std::string("database connection lost: ") + e.what();
            if (!retry || reconnects > 0 || Clock::now() - started >= kTimedOut) {
                failed(started, what);
                throw DbUnavailable(what);
            }
            ++reconnects;
        } catch (const DbUnavailable& e) {
            disconnect();
            if (!retry || reconnects > 0 || Clock::now() - started >= kTimedOut) {
                failed(started, e.what());
                throw;
            }
            ++reconnects;
        } catch (...) {
            if (breaker_) breaker_->record_neutral(admission);
            throw;
        }
    }
}

void Database::read(const std::function<void(Database&)>& body) {
    run(body, true, false);
}

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

void Database::write(const std::function<void(Database&)>& body) {
    run(body, false, true);
}

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
