// mfo-bench-ceiling: the FastCGI ceiling of the stack for scripts/bench.
//
// A bare libfcgi responder with the pool's shape (a unix socket, WORKERS
// processes of THREADS threads each blocking in FCGX_Accept_r) that answers
// every request with the same fixed response: the header set mfo-fcgi sends
// on a page (Status, Content-Type, Content-Length, the security headers,
// Vary, Cache-Control) and a body of BODY_BYTES bytes. No parsing, no
// database, no template, no logging: what nginx + libfcgi + the kernel cost
// to move a page of that size on this machine.
//
//   mfo-bench-ceiling --socket PATH [--workers N] [--threads T]
//                     [--body-bytes B] [--socket-group G] [--socket-mode 0660]
//
// With --db-query, each thread also runs that prepared statement once per
// request (MySQL Connector/C++, as the pool does: one connection per thread,
// the statement prepared once, every column of every row read as a string),
// binding one BINARY parameter given in hex: the ceiling with one database
// round trip, which tells the database's share from the worker's own.
//
//   ... --db-socket PATH --db-name NAME --db-user USER
//       --db-password-file FILE --db-query SQL --db-param-hex HEX
//
// Runs in the foreground; SIGTERM / SIGINT stop it (and its workers) and
// remove the socket.

#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <fcgiapp.h>
#include <mysql_driver.h>
#include <grp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Options {
    std::string socket;
    int workers = 0;  // 0: one per CPU
    int threads = 8;
    long body_bytes = 2048;
    std::string socket_group;
    mode_t socket_mode = 0660;
    // Optional database round trip.
    std::string db_socket, db_name, db_user, db_password_file, db_query, db_param;
};

[[noreturn]] void usage_error(const std::string& message) {
    std::fprintf(stderr, "mfo-bench-ceiling: %s\n", message.c_str());
    std::fprintf(stderr,
                 "usage: mfo-bench-ceiling --socket PATH [--workers N] [--threads T] "
                 "[--body-bytes B] [--socket-group G] [--socket-mode MODE] [--db-socket PATH "
                 "--db-name N --db-user U --db-password-file F --db-query SQL "
                 "--db-param-hex HEX]\n");
    std::exit(2);
}

long number(const std::string& text, long lo, long hi, const char* what, int base = 10) {
    char* end = nullptr;
    errno = 0;
    const long v = std::strtol(text.c_str(), &end, base);
    if (errno != 0 || end == text.c_str() || *end != '\0' || v < lo || v > hi) {
        usage_error(std::string("bad ") + what + ": " + text);
    }
    return v;
}

std::string from_hex(const std::string& hex) {
    if (hex.size() % 2 != 0) usage_error("--db-param-hex: odd length");
    std::string out;
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        out.push_back(static_cast<char>(number(hex.substr(i, 2), 0, 255, "--db-param-hex", 16)));
    }
    return out;
}

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) usage_error(arg + " needs a value");
            return argv[++i];
        };
        if (arg == "--socket") o.socket = value();
        else if (arg == "--workers") o.workers = static_cast<int>(number(value(), 0, 256, "--workers"));
        else if (arg == "--threads") o.threads = static_cast<int>(number(value(), 1, 1024, "--threads"));
        else if (arg == "--body-bytes") o.body_bytes = number(value(), 0, 16 << 20, "--body-bytes");
        else if (arg == "--socket-group") o.socket_group = value();
        else if (arg == "--socket-mode") o.socket_mode = static_cast<mode_t>(number(value(), 0, 0777, "--socket-mode", 8));
        else if (arg == "--db-socket") o.db_socket = value();
        else if (arg == "--db-name") o.db_name = value();
        else if (arg == "--db-user") o.db_user = value();
        else if (arg == "--db-password-file") o.db_password_file = value();
        else if (arg == "--db-query") o.db_query = value();
        else if (arg == "--db-param-hex") o.db_param = from_hex(value());
        else if (arg == "-h" || arg == "--help") usage_error("help");
        else usage_error("unknown argument: " + arg);
    }
    if (o.socket.empty()) usage_error("--socket is required");
    if (!o.db_query.empty() && (o.db_socket.empty() || o.db_name.empty() || o.db_user.empty())) {
        usage_error("--db-query needs --db-socket, --db-name and --db-user");
    }
    if (o.workers == 0) o.workers = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    return o;
}

// The response mfo-fcgi sends for a page with user data (see
// fcgi-app/http/response.cpp), with a filler body of the requested size.
std::string make_response(long body_bytes) {
    std::string body;
    body.reserve(static_cast<std::size_t>(body_bytes));
    static const std::string line = "<p>mfo FastCGI ceiling: a fixed page of the same size.</p>\n";
    while (static_cast<long>(body.size()) < body_bytes) body += line;
    body.resize(static_cast<std::size_t>(body_bytes));
    std::string out;
    out += "Status: 200 OK\r\n";
    out += "Content-Type: text/html; charset=utf-8\r\n";
    out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    out += "X-Content-Type-Options: nosniff\r\n";
    out += "Referrer-Policy: same-origin\r\n";
    out += "X-Frame-Options: DENY\r\n";
    out += "Content-Security-Policy: default-src 'self'; script-src 'self'; style-src 'self'; "
           "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
           "object-src 'none'\r\n";
    out += "Vary: Cookie\r\n";
    out += "Cache-Control: no-store\r\n";
    out += "\r\n";
    out += body;
    return out;
}

std::string read_password(const std::string& path) {
    if (path.empty()) return "";
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    return line;
}

// One connection and one prepared statement per thread.
class DbProbe {
public:
    explicit DbProbe(const Options& o) : param_(o.db_param) {
        driver_ = sql::mysql::get_mysql_driver_instance();
        driver_->threadInit();
        sql::ConnectOptionsMap options;
        options["hostName"] = sql::SQLString("unix://" + o.db_socket);
        options["userName"] = sql::SQLString(o.db_user);
        options["password"] = sql::SQLString(read_password(o.db_password_file));
        options["schema"] = sql::SQLString(o.db_name);
        options["OPT_CHARSET_NAME"] = sql::SQLString("utf8mb4");
        connection_.reset(driver_->connect(options));
        // As the pool's connections (core/database.cpp): times are UTC.
        std::unique_ptr<sql::Statement> set(connection_->createStatement());
        set->execute("SET time_zone = '+00:00'");
        statement_.reset(connection_->prepareStatement(o.db_query));
    }
    ~DbProbe() {
        statement_.reset();
        connection_.reset();
        driver_->threadEnd();
    }
    // Runs the query; false when it returned no row.
    bool run() {
        statement_->clearParameters();
        statement_->setString(1, param_);
        std::unique_ptr<sql::ResultSet> rs(statement_->executeQuery());
        const unsigned columns = rs->getMetaData()->getColumnCount();
        bool any = false;
        while (rs->next()) {
            any = true;
            for (unsigned i = 1; i <= columns; ++i) (void)rs->getString(i);
        }
        return any;
    }

private:
    sql::mysql::MySQL_Driver* driver_ = nullptr;
    std::string param_;
    std::unique_ptr<sql::Connection> connection_;
    std::unique_ptr<sql::PreparedStatement> statement_;
};

void serve(int listen_fd, const std::string* response, const Options* o) {
    std::unique_ptr<DbProbe> db;
    try {
        if (!o->db_query.empty()) db = std::make_unique<DbProbe>(*o);
    } catch (const sql::SQLException& e) {
        std::fprintf(stderr, "mfo-bench-ceiling: database: %s\n", e.what());
        std::_Exit(1);
    }
    static const std::string no_row =
        "Status: 500 Internal Server Error\r\nContent-Type: text/plain\r\n\r\nno row\n";
    FCGX_Request request;
    FCGX_InitRequest(&request, listen_fd, 0);
    while (FCGX_Accept_r(&request) >= 0) {
        bool ok = true;
        if (db) {
            try {
                ok = db->run();
            } catch (const sql::SQLException&) {
                ok = false;
            }
        }
        const std::string& out = ok ? *response : no_row;
        FCGX_PutStr(out.data(), static_cast<int>(out.size()), request.out);
        FCGX_Finish_r(&request);
    }
}

// A worker: THREADS accepting threads; the main thread waits for SIGTERM
// (blocked everywhere, so libfcgi's own handler never runs) and exits.
[[noreturn]] void run_worker(int listen_fd, int threads, const std::string& response,
                             const Options& o, const sigset_t& signals) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    FCGX_Init();
    if (!o.db_query.empty()) (void)sql::mysql::get_mysql_driver_instance();
    std::vector<std::thread> pool;
    for (int i = 0; i < threads; ++i) pool.emplace_back(serve, listen_fd, &response, &o);
    int sig = 0;
    while (sigwait(&signals, &sig) == 0 && sig == SIGHUP) {
    }
    std::_Exit(0);
}

}  // namespace

int main(int argc, char** argv) {
    const Options o = parse(argc, argv);
    const std::string response = make_response(o.body_bytes);
    ::signal(SIGPIPE, SIG_IGN);

    ::unlink(o.socket.c_str());
    const mode_t old_umask = ::umask(0177);
    const int fd = FCGX_OpenSocket(o.socket.c_str(), 1024);
    ::umask(old_umask);
    if (fd < 0) {
        std::fprintf(stderr, "mfo-bench-ceiling: cannot listen on %s\n", o.socket.c_str());
        return 1;
    }
    if (!o.socket_group.empty()) {
        const group* g = ::getgrnam(o.socket_group.c_str());
        if (!g || ::chown(o.socket.c_str(), static_cast<uid_t>(-1), g->gr_gid) < 0) {
            std::fprintf(stderr, "mfo-bench-ceiling: cannot give %s to group %s\n",
                         o.socket.c_str(), o.socket_group.c_str());
            ::unlink(o.socket.c_str());
            return 1;
        }
    }
    ::chmod(o.socket.c_str(), o.socket_mode);

    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGHUP);

    // Blocked before the fork: the workers inherit the mask and sigwait too.
    sigprocmask(SIG_BLOCK, &signals, nullptr);
    std::vector<pid_t> children;
    for (int i = 0; i < o.workers; ++i) {
        const pid_t pid = ::fork();
        if (pid < 0) {
            std::perror("mfo-bench-ceiling: fork");
            break;
        }
        if (pid == 0) run_worker(fd, o.threads, response, o, signals);
        children.push_back(pid);
    }
    std::fprintf(stderr,
                 "mfo-bench-ceiling: listening on %s with %d workers x %d threads, %zu-byte "
                 "responses (%ld-byte body)\n",
                 o.socket.c_str(), o.workers, o.threads, response.size(), o.body_bytes);
    int sig = 0;
    while (sigwait(&signals, &sig) == 0 && sig == SIGHUP) {
    }
    for (pid_t pid : children) ::kill(pid, SIGTERM);
    for (pid_t pid : children) ::waitpid(pid, nullptr, 0);
    ::unlink(o.socket.c_str());
    return 0;
}
