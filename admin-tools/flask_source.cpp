#include "flask_source.hpp"

#include <cppconn/exception.h>
#include <sqlite3.h>

#include <filesystem>
#include <functional>
#include <memory>

#include "database.hpp"

namespace mfo::cli {

namespace {

// Both sources answer the same three queries. `user` is a reserved word in
// some SQL dialects: quoted. The latest login is current_login_at (Flask's
// last_login_at is the one before it).
constexpr const char* kUsersSql =
    "SELECT id, email, active, password, create_datetime, "
    "COALESCE(current_login_at, last_login_at) FROM %user% ORDER BY id";
constexpr const char* kRolesSql = "SELECT id, name, description, permissions FROM role ORDER BY id";
constexpr const char* kMembershipsSql =
    "SELECT user_id, role_id FROM roles_users WHERE user_id IS NOT NULL AND role_id IS NOT NULL";

std::string with_quoted_user(std::string sql, const char* quoted) {
    const auto at = sql.find("%user%");
    if (at != std::string::npos) sql.replace(at, 6, quoted);
    return sql;
}

// SQLite keeps DATETIME as text ("2026-01-02 03:04:05.123456"); MariaDB's
// come as "2026-01-02 03:04:05": seconds precision for mfo's DATETIME.
std::string datetime_text(const std::string& value) {
    return value.substr(0, 19);
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string percent_decode(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
            hex_value(s[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

bool is_mysql_scheme(const std::string& scheme) {
    static const char* const kSchemes[] = {"mysql",
                                           "mysql+pymysql",
                                           "mysql+mysqldb",
                                           "mysql+mysqlconnector",
                                           "mysql+mariadbconnector",
                                           "mariadb",
                                           "mariadb+pymysql",
                                           "mariadb+mysqldb",
                                           "mariadb+mariadbconnector",
                                           "mariadb+mysqlconnector"};
    for (const char* s : kSchemes)
        if (scheme == s) return true;
    return false;
}

// --- SQLite --------------------------------------------------------------

struct SqliteCloser {
    void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct StatementFinalizer {
    void operator()(sqlite3_stmt* st) const { sqlite3_finalize(st); }
};

std::string column_text(sqlite3_stmt* st, int i) {
    const auto* text = sqlite3_column_text(st, i);
    return text ? reinterpret_cast<const char*>(text) : "";
}

void sqlite_query(sqlite3* db, const std::string& sql,
                  const std::function<void(sqlite3_stmt*)>& row) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
        throw SourceError(std::string("not a Flask-Security-Too database: ") + sqlite3_errmsg(db));
    }
    std::unique_ptr<sqlite3_stmt, StatementFinalizer> st(raw);
    int rc;
    while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) row(st.get());
    if (rc != SQLITE_DONE) throw SourceError(std::string("reading: ") + sqlite3_errmsg(db));
}

FlaskData read_sqlite(const std::string& path) {
    if (!std::filesystem::is_regular_file(path)) {
        // Flask-SQLAlchemy 3 reads a relative sqlite path from the app's
        // instance/ folder; we read it from the working directory.
        throw SourceError(path +
                          ": no such file (a relative path is read from the current "
                          "directory; the Flask app's may be in its instance/ folder)");
    }
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
    std::unique_ptr<sqlite3, SqliteCloser> db(raw);
    if (rc != SQLITE_OK) {
        throw SourceError(path + ": " + (raw ? sqlite3_errmsg(raw) : "cannot open"));
    }
    // The Flask app may still be running: wait for its writes rather than fail.
    sqlite3_busy_timeout(db.get(), 5000);
    FlaskData data;
    // One read transaction: a consistent snapshot of the three tables.
    sqlite3_exec(db.get(), "BEGIN", nullptr, nullptr, nullptr);
    sqlite_query(db.get(), with_quoted_user(kUsersSql, "\"user\""), [&](sqlite3_stmt* st) {
        FlaskUser u;
        u.id = sqlite3_column_int64(st, 0);
        u.email = column_text(st, 1);
        u.active = sqlite3_column_int(st, 2) != 0;
        if (sqlite3_column_type(st, 3) != SQLITE_NULL) u.password = column_text(st, 3);
        u.created_at = datetime_text(column_text(st, 4));
        u.last_login_at = datetime_text(column_text(st, 5));
        data.users.push_back(std::move(u));
    });
    sqlite_query(db.get(), kRolesSql, [&](sqlite3_stmt* st) {
        data.roles.push_back(FlaskRole{sqlite3_column_int64(st, 0), column_text(st, 1),
                                       column_text(st, 2), column_text(st, 3)});
    });
    sqlite_query(db.get(), kMembershipsSql, [&](sqlite3_stmt* st) {
        data.memberships.emplace_back(sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1));
    });
    sqlite3_exec(db.get(), "COMMIT", nullptr, nullptr, nullptr);
    return data;
}

// --- MySQL / MariaDB -----------------------------------------------------

std::string result_text(sql::ResultSet& rs, int i) {
    return rs.isNull(i) ? "" : std::string(rs.getString(i));
}

FlaskData read_mysql(const SourceUri& uri, int connect_timeout) {
    DatabaseConfig config;
    config.socket = uri.unix_socket;
    config.host = uri.host.empty() ? "localhost" : uri.host;
    config.port = uri.port;
    config.name = uri.database;
    config.user = uri.user;
    config.password = uri.password;
    config.connect_timeout = connect_timeout;
    FlaskData data;
    try {
        Database db(config, DbAccount::app);
        db.read([&](Database& d) {
            data = {};
            // One snapshot of the three tables.
            d.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
            std::unique_ptr<sql::ResultSet> rs(
                d.prepare(with_quoted_user(kUsersSql, "`user`")).executeQuery());
            while (rs->next()) {
                FlaskUser u;
                u.id = rs->getInt64(1);
                u.email = result_text(*rs, 2);
                u.active = rs->getInt(3) != 0;
                if (!rs->isNull(4)) u.password = result_text(*rs, 4);
                u.created_at = datetime_text(result_text(*rs, 5));
                u.last_login_at = datetime_text(result_text(*rs, 6));
                data.users.push_back(std::move(u));
            }
            rs.reset(d.prepare(kRolesSql).executeQuery());
            while (rs->next()) {
                data.roles.push_back(FlaskRole{rs->getInt64(1), result_text(*rs, 2),
                                               result_text(*rs, 3), result_text(*rs, 4)});
            }
            rs.reset(d.prepare(kMembershipsSql).executeQuery());
            while (rs->next()) data.memberships.emplace_back(rs->getInt64(1), rs->getInt64(2));
            d.execute("COMMIT");
        });
    } catch (const DbUnavailable& e) {
        throw SourceError(std::string("cannot connect: ") + e.what());
    } catch (const sql::SQLException& e) {
        throw SourceError(std::string("not a Flask-Security-Too database: ") + e.what());
    }
    return data;
}

}  // namespace

SourceUri parse_source_uri(const std::string& uri) {
    const auto sep = uri.find("://");
    if (sep == std::string::npos) throw SourceError("not a database URI (no \"://\")");
    const std::string scheme = uri.substr(0, sep);
    std::string rest = uri.substr(sep + 3);
    SourceUri out;
    if (scheme == "sqlite" || scheme == "sqlite+pysqlite") {
        // sqlite:///app.sqlite is relative, sqlite:////var/app.sqlite absolute.
        if (rest.empty() || rest[0] != '/' || rest.size() < 2) {
            throw SourceError(
                "sqlite URI without a file (sqlite:///relative/path or "
                "sqlite:////absolute/path)");
        }
        out.kind = SourceUri::Kind::sqlite;
        out.path = rest.substr(1);
        if (const auto q = out.path.find('?'); q != std::string::npos) out.path.resize(q);
        return out;
    }
    if (!is_mysql_scheme(scheme)) {
        throw SourceError("unsupported URI scheme \"" + scheme +
                          "\" (sqlite, mysql[+pymysql|+mysqldb], mariadb[+driver])");
    }
    out.kind = SourceUri::Kind::mysql;
    std::string query;
    if (const auto q = rest.find('?'); q != std::string::npos) {
        query = rest.substr(q + 1);
        rest.resize(q);
    }
    if (const auto at = rest.rfind('@'); at != std::string::npos) {
        const std::string credentials = rest.substr(0, at);
        rest = rest.substr(at + 1);
        const auto colon = credentials.find(':');
        out.user = percent_decode(credentials.substr(0, colon));
        if (colon != std::string::npos)
            out.password = percent_decode(credentials.substr(colon + 1));
    }
    const auto slash = rest.find('/');
    out.database = slash == std::string::npos ? "" : percent_decode(rest.substr(slash + 1));
    std::string hostport = rest.substr(0, slash);
    if (const auto colon = hostport.rfind(':'); colon != std::string::npos) {
        try {
            std::size_t used = 0;
            out.port = std::stoi(hostport.substr(colon + 1), &used);
            if (used != hostport.size() - colon - 1 || out.port < 1 || out.port > 65535)
                throw std::invalid_argument("port");
        } catch (const std::exception&) {
            throw SourceError("bad port in the URI");
        }
        hostport.resize(colon);
    }
    out.host = percent_decode(hostport);
    for (std::size_t start = 0; start < query.size();) {
        auto end = query.find('&', start);
        if (end == std::string::npos) end = query.size();
        const std::string item = query.substr(start, end - start);
        if (item.rfind("unix_socket=", 0) == 0) out.unix_socket = percent_decode(item.substr(12));
        start = end + 1;
    }
    if (out.database.empty()) throw SourceError("the URI names no database (.../DATABASE)");
    if (out.user.empty()) throw SourceError("the URI names no user (USER:PASSWORD@HOST)");
    return out;
}

std::string redacted_uri(const std::string& uri) {
    const auto sep = uri.find("://");
    const auto at = uri.rfind('@');
    if (sep == std::string::npos || at == std::string::npos || at < sep) return uri;
    const auto colon = uri.find(':', sep + 3);
    if (colon == std::string::npos || colon > at) return uri;
    return uri.substr(0, colon + 1) + "***" + uri.substr(at);
}

FlaskData read_flask_source(const SourceUri& uri, int connect_timeout_seconds) {
    if (uri.kind == SourceUri::Kind::sqlite) return read_sqlite(uri.path);
    return read_mysql(uri, connect_timeout_seconds);
}

}  // namespace mfo::cli
