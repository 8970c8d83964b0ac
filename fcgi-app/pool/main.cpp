// mfo-fcgi: the FastCGI worker pool.

#include <cstring>
#include <iostream>

#include "config.hpp"
#include "context/app_context.hpp"
#include "http/request_log.hpp"
#include "imported_password_check.hpp"
#include "pipeline/router.hpp"
#include "pool/supervisor.hpp"

namespace {

void usage(std::ostream& out) {
    out << "Usage: mfo-fcgi [--config FILE] [--check-config]\n"
           "\n"
           "Runs the mfo FastCGI worker pool in the foreground (logs on stderr).\n"
           "  --config FILE    configuration file (default: $MFO_CONFIG or conf/mfo.conf)\n"
           "  --check-config   validate the configuration, access rules, roles and\n"
           "                   templates, then exit (non-zero with file:line on an error)\n"
           "Signals: SIGTERM/SIGINT drain and stop; SIGHUP reloads without dropping requests.\n";
}

}  // namespace

int main(int argc, char** argv) {
    std::string config_path = mfo::default_config_path();
    bool check_only = false;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            config_path = argv[++i];
        } else if (std::strcmp(argv[i], "--check-config") == 0) {
            check_only = true;
        } else if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
            usage(std::cout);
            return 0;
        } else {
            std::cerr << "mfo-fcgi: unknown argument: " << argv[i] << "\n";
            usage(std::cerr);
            return 2;
        }
    }
    try {
        const mfo::Config config = mfo::load_config(config_path);
        const bool test_routes = mfo::test_routes_compiled();
        auto app = mfo::load_app_context(config, test_routes);
        if (check_only) {
            std::cout << "mfo-fcgi: configuration OK (" << config_path << ", "
                      << app->rules.rules().size() << " access rules)\n";
            return 0;
        }
        if (const std::string warning = mfo::missing_salt_warning(config); !warning.empty())
            mfo::log_event("warning: " + warning);
        return mfo::run_supervisor(config_path, std::move(app), test_routes);
    } catch (const std::exception& e) {
        std::cerr << "mfo-fcgi: " << e.what() << "\n";
        return 1;
    }
}
