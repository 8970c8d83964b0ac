// mfo-fcgi: the FastCGI worker pool.

#include <cstring>
#include <iostream>

#include "config.hpp"
#include "context/app_context.hpp"
#include "database_check.hpp"
#include "db_host_health.hpp"
#include "http/request_log.hpp"
#include "imported_password_check.hpp"
#include "pipeline/router.hpp"
#include "pool/listen_socket.hpp"
#include "pool/supervisor.hpp"

namespace {

void usage(std::ostream& out) {
    out << "Usage: mfo-fcgi [--config FILE] [--check-config [--connect]] [--require-db]\n"
           "\n"
           "Runs the mfo FastCGI worker pool in the foreground (logs on stderr).\n"
           "  --config FILE    configuration file (default: $MFO_CONFIG or conf/mfo.conf)\n"
           "  --check-config   validate the configuration, access rules, roles,\n"
           "                   templates and listen address, then exit (non-zero with\n"
           "                   file:line on an error)\n"
           "  --connect        with --check-config: also log in with both database\n"
           "                   accounts and check the schema and the default role\n"
           "  --require-db     refuse to start when the database check at start fails\n"
           "                   (default: log a warning and start; requests answer 503\n"
           "                   until the database is reachable)\n"
           "Signals: SIGTERM/SIGINT drain and stop; SIGHUP reloads without dropping requests.\n";
}

// --check-config --connect: both accounts, one line each. Returns success.
bool report_connections(const mfo::Config& config) {
    bool ok = true;
    for (const auto account : {mfo::DbAccount::app, mfo::DbAccount::admin}) {
        const char* role =
            account == mfo::DbAccount::app ? "application account" : "DDL account (mfo-db)";
        const auto check = mfo::check_database(config, account);
        if (check.problems.empty()) {
            std::cout << "mfo-fcgi: database: " << role << " " << check.account << ": OK\n";
        }
        for (const auto& problem : check.problems) {
            std::cout << "mfo-fcgi: database: " << role << " " << check.account << ": " << problem
                      << "\n";
            ok = false;
        }
    }
    return ok;
}

}  // namespace

int main(int argc, char** argv) {
    std::string config_path = mfo::default_config_path();
    bool check_only = false;
    bool connect = false;
    bool require_db = false;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            config_path = argv[++i];
        } else if (std::strcmp(argv[i], "--check-config") == 0) {
            check_only = true;
        } else if (std::strcmp(argv[i], "--connect") == 0) {
            connect = true;
        } else if (std::strcmp(argv[i], "--require-db") == 0) {
            require_db = true;
        } else if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
            usage(std::cout);
            return 0;
        } else {
            std::cerr << "mfo-fcgi: unknown argument: " << argv[i] << "\n";
            usage(std::cerr);
            return 2;
        }
    }
    if (connect && !check_only) {
        std::cerr << "mfo-fcgi: --connect goes with --check-config\n";
        usage(std::cerr);
        return 2;
    }
    try {
        const mfo::Config config = mfo::load_config(config_path);
        const bool test_routes = mfo::test_routes_compiled();
        auto app = mfo::load_app_context(config, test_routes);
        const auto listen_warnings = mfo::check_listen_address(config);
        if (check_only) {
            for (const auto& warning : listen_warnings)
                std::cout << "mfo-fcgi: warning: " << warning << "\n";
            if (connect) {
                mfo::init_database_driver();
                if (!report_connections(config)) return 1;
            }
            std::cout << "mfo-fcgi: configuration OK (" << config_path << ", "
                      << app->rules.rules().size() << " access rules)\n";
            return 0;
        }
        // A wrong password or an unmigrated schema must not start "healthy"
        // silently; the pool still starts (it heals when the database comes)
        // unless --require-db.
        mfo::init_database_driver();
        // The start check's choice of [database] hosts goes to the pool's log
        // like the workers' later ones.
        mfo::DbHostHealth::process().set_logger(
            [](const std::string& line) { mfo::log_event(line); });
        const auto check = mfo::check_database(config, mfo::DbAccount::app);
        for (const auto& problem : check.problems) {
            if (require_db) {
                std::cerr << "mfo-fcgi: database check failed (" << check.account
                          << "): " << problem << "\n";
            } else {
                mfo::log_warning("database check at start (" + check.account + "): " + problem);
            }
        }
        if (require_db && !check.problems.empty()) return 1;
        if (const std::string warning = mfo::missing_salt_warning(config); !warning.empty())
            mfo::log_event("warning: " + warning);
        return mfo::run_supervisor(config_path, std::move(app), test_routes);
    } catch (const std::exception& e) {
        std::cerr << "mfo-fcgi: " << e.what() << "\n";
        return 1;
    }
}
