#include "migration_lock.hpp"

#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "crypto.hpp"
#include "migrations.hpp"

namespace mfo {

namespace {

using Rows = std::unique_ptr<sql::ResultSet>;
using Clock = std::chrono::steady_clock;

constexpr const char* kLockName = "mfo_migrate";
constexpr int kErrDuplicateKey = 1062;

constexpr const char* kCreateLockTable =
    "CREATE TABLE IF NOT EXISTS schema_migration_lock (\n"
    "    id        TINYINT UNSIGNED NOT NULL PRIMARY KEY,\n"
    "    holder    VARCHAR(255) NOT NULL,\n"
    "    taken_at  DATETIME NOT NULL\n"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci";

constexpr const char* kClearHint =
    "if no mfo-db migrate is running any more (it was killed), clear the lock with "
    "`DELETE FROM schema_migration_lock;` as the migration account";

bool get_lock(Database& db, int timeout_seconds) {
    auto& st = db.prepare("SELECT GET_LOCK(?, ?)");
    st.setString(1, kLockName);
    st.setInt(2, timeout_seconds);
    Rows rs(st.executeQuery());
    return rs->next() && !rs->isNull(1) && rs->getInt(1) == 1;
}

void take_server_lock(Database& db, int timeout_seconds, std::ostream* log) {
    if (get_lock(db, 0)) return;
    std::string holder = "another session";
    {
        auto& st = db.prepare("SELECT IS_USED_LOCK(?)");
        st.setString(1, kLockName);
        Rows rs(st.executeQuery());
        if (rs->next() && !rs->isNull(1)) holder = "connection " + rs->getString(1);
    }
    if (log) {
        *log << "Waiting for the migration lock '" << kLockName << "' (held by " << holder
             << ", another mfo-db migrate) for up to " << timeout_seconds << " s ..." << std::endl;
    }
    if (timeout_seconds == 0 || !get_lock(db, timeout_seconds)) {
        throw MigrationError("another migration is running (" + holder + " holds the lock '" +
                             kLockName + "'): gave up after " + std::to_string(timeout_seconds) +
                             " s; wait for it to finish (--lock-timeout to wait longer)");
    }
    if (log) *log << "Got the migration lock." << std::endl;
}

std::string host_name() {
    char name[256] = {};
    if (gethostname(name, sizeof name - 1) != 0) return "unknown host";
    return name;
}

// "mfo-db pid 123 on app1 via 10.0.0.5:3306 (3f9a...)": unique per run.
std::string new_holder(Database& db) {
    return "mfo-db pid " + std::to_string(getpid()) + " on " + host_name() + " via " +
           db.endpoint() + " (" + crypto::hex(crypto::random_bytes(6)) + ")";
}

// Who holds the cluster lock since when, or "" when nobody does.
std::string current_holder(Database& db) {
    Rows rs(db.prepare(db.causal("SELECT holder, DATE_FORMAT(taken_at, '%Y-%m-%d %H:%i:%s') "
                                 "FROM schema_migration_lock WHERE id = 1"))
                .executeQuery());
    if (!rs->next()) return {};
    return rs->getString(1).asStdString() + " since " + rs->getString(2).asStdString() + " UTC";
}

// One try: true when our row went in (certified by the cluster).
bool try_insert(Database& db, const std::string& holder) {
    auto& st = db.prepare(
        "INSERT INTO schema_migration_lock (id, holder, taken_at) VALUES (1, ?, UTC_TIMESTAMP())");
    st.setString(1, holder);
    try {
        st.executeUpdate();
        return true;
    } catch (const sql::SQLException& e) {
        // 1062: held. 1213: another node's insert won certification at the
        // same moment; the next try sees its row (1062).
        if (e.getErrorCode() == kErrDuplicateKey || e.getErrorCode() == 1213) return false;
        throw;
    }
}

void take_cluster_lock(Database& db, const std::string& holder, int timeout_seconds,
                       std::ostream* log) {
    db.execute(kCreateLockTable);  // DDL: replicated in total order, a no-op when there
    const auto deadline = Clock::now() + std::chrono::seconds(timeout_seconds);
    bool said = false;
    std::string other;
    while (!try_insert(db, holder)) {
        other = current_holder(db);
        if (other.empty()) continue;  // released meanwhile: try again at once
        if (Clock::now() >= deadline) {
            throw MigrationError("another migration is running (the cluster-wide lock is held by " +
                                 other + "): gave up after " + std::to_string(timeout_seconds) +
                                 " s; wait for it to finish (--lock-timeout to wait longer); " +
                                 kClearHint);
        }
        if (log && !said) {
            *log << "Waiting for the cluster-wide migration lock (held by " << other
                 << ", another mfo-db migrate) for up to " << timeout_seconds << " s ..."
                 << std::endl;
            said = true;
        }
        // Polling a row: there is no cluster-wide wait to block on.
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    if (log && said) *log << "Got the migration lock." << std::endl;
}

}  // namespace

void require_primary_component(Database& db) {
    const GaleraNodeState node = read_galera_node_state(db.connection());
    if (node.usable()) return;
    throw MigrationError("refusing to migrate: the database node " + db.endpoint() + " is " +
                         node.describe() +
                         "; run it against a node of the cluster's Primary component");
}

MigrationLock::MigrationLock(Database& db, int timeout_seconds, std::ostream* log) : db_(db) {
    db_.connection();  // connects, so galera() is known
    if (!db_.galera()) {
        take_server_lock(db_, timeout_seconds, log);
        return;
    }
    require_primary_component(db_);
    // Galera's default, but a node may run with RSU (rolling schema upgrade),
    // where DDL stays on the node that ran it.
    db_.execute("SET SESSION wsrep_OSU_method = 'TOI'");
    // What the previous run recorded through another node is seen here.
    db_.execute("SET SESSION wsrep_sync_wait = 1");
    cluster_ = true;
    holder_ = new_holder(db_);
    take_cluster_lock(db_, holder_, timeout_seconds, log);
}

MigrationLock::~MigrationLock() {
    try {
        if (cluster_) {
            auto& st = db_.prepare("DELETE FROM schema_migration_lock WHERE id = 1 AND holder = ?");
            st.setString(1, holder_);
            st.executeUpdate();
        } else {
            auto& st = db_.prepare("SELECT RELEASE_LOCK(?)");
            st.setString(1, kLockName);
            Rows rs(st.executeQuery());
        }
    } catch (const std::exception&) {
        // Server lock: a lost connection releases it by itself. Cluster lock:
        // the next run reports the row and how to clear it.
    }
}

}  // namespace mfo
