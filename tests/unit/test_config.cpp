#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "config.hpp"

using namespace mfo;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    fs::path path;
    fs::path old_cwd = fs::current_path();
    TempDir() {
        path = fs::temp_directory_path() / ("mfo-config-test-" + std::to_string(::getpid()) + "-" +
                                            std::to_string(std::rand()));
        fs::create_directories(path / "conf");
        fs::current_path(path);  // .env is read from the working directory
    }
    ~TempDir() {
        fs::current_path(old_cwd);
        fs::remove_all(path);
    }
    std::string write(const std::string& name, const std::string& text) const {
        std::ofstream(path / name) << text;
        return (path / name).string();
    }
};

std::string error_of(const std::string& file) {
    try {
        load_config(file);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(config)

BOOST_AUTO_TEST_CASE(shipped_config_parses) {
    const Config c = load_config(MFO_SOURCE_DIR "/conf/mfo.conf");
    BOOST_TEST(c.threads == 8);
    BOOST_TEST(c.database.name == "mfo");
    BOOST_TEST(c.argon2_memory_kib == 19456u);
    BOOST_TEST(c.listen.rfind("unix:", 0) == 0u);
    BOOST_TEST(c.templates_dir ==
               fs::path(MFO_SOURCE_DIR "/templates").lexically_normal().string());
}

BOOST_AUTO_TEST_CASE(operating_settings_parse_and_are_bounded) {
    const Config shipped = load_config(MFO_SOURCE_DIR "/conf/mfo.conf");
    BOOST_TEST(shipped.slow_request_ms == 1000);
    BOOST_TEST(shipped.request_timeout == 60);
    BOOST_TEST(shipped.max_requests == 0);
    BOOST_TEST(shipped.max_rss_mb == 0);
    BOOST_TEST(shipped.log_file.empty());
    TempDir dir;
    const auto file =
        dir.write("conf/ops.conf",
                  "[server]\nslow_request_ms = 250\nrequest_timeout = 5\n"
                  "max_requests = 1000\nmax_rss_mb = 512\nlog_file = ../log/pool.log\n");
    const Config c = load_config(file);
    BOOST_TEST(c.slow_request_ms == 250);
    BOOST_TEST(c.request_timeout == 5);
    BOOST_TEST(c.max_requests == 1000);
    BOOST_TEST(c.max_rss_mb == 512);
    BOOST_TEST(c.log_file == (dir.path / "log/pool.log").string());
    auto f = dir.write("conf/bad.conf", "[server]\nrequest_timeout = -1\n");
    BOOST_TEST(error_of(f).find(f + ":2: request_timeout:") == 0u);
    f = dir.write("conf/bad2.conf", "[server]\nmax_requests = lots\n");
    BOOST_TEST(error_of(f).find(f + ":2: max_requests:") == 0u);
}

BOOST_AUTO_TEST_CASE(relative_paths_follow_the_config_file) {
    TempDir dir;
    const auto file = dir.write(
        "conf/mfo.conf", "[app]\ntemplates_dir = ../tpl\n[server]\nlisten = unix:../run/s.sock\n");
    const Config c = load_config(file);
    BOOST_TEST(c.templates_dir == (dir.path / "tpl").string());
    BOOST_TEST(c.listen == "unix:" + (dir.path / "run/s.sock").string());
}

BOOST_AUTO_TEST_CASE(errors_carry_file_and_line) {
    TempDir dir;
    auto f = dir.write("conf/a.conf", "[server]\nthreads = 4\nworkers = many\n");
    BOOST_TEST(error_of(f) == f + ":3: workers: expected a number, got \"many\"");
    f = dir.write("conf/b.conf", "[server]\nthreadz = 4\n");
    BOOST_TEST(error_of(f) == f + ":2: unknown setting [server] threadz");
    f = dir.write("conf/c.conf", "[server]\nlisten = 0.0.0.0:9000\n");
    BOOST_TEST(error_of(f).find(f + ":2: listen:") == 0u);
    f = dir.write("conf/d.conf", "[server]\nsocket_mode = 0666\n");
    BOOST_TEST(error_of(f) == f + ":2: socket_mode: must not give access to others");
    f = dir.write("conf/e.conf", "[app]\nenvironment = staging\n");
    BOOST_TEST(error_of(f) == f + ":2: environment: expected development or production");
    f = dir.write("conf/f.conf", "this is not ini\n");
    BOOST_TEST(error_of(f).find(f + ":1:") == 0u);
    BOOST_TEST(error_of((dir.path / "missing.conf").string()).find("cannot") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(environment_and_dotenv_override_the_file) {
    TempDir dir;
    const auto f = dir.write("conf/mfo.conf",
                             "[server]\nthreads = 4\nworkers = 3\n[database]\nname = fromfile\n");
    dir.write(".env",
              "# comment\nMFO_SERVER_THREADS = 6\nexport "
              "MFO_DATABASE_NAME=\"fromdotenv\"\nFLASK_SECRET_KEY=seedkey\nOTHER=1\n");
    ::setenv("MFO_SERVER_THREADS", "9", 1);
    const Config c = load_config(f);
    ::unsetenv("MFO_SERVER_THREADS");
    BOOST_TEST(c.threads == 9);                   // environment beats .env
    BOOST_TEST(c.database.name == "fromdotenv");  // .env beats the file
    BOOST_TEST(c.workers == 3);
    BOOST_TEST(c.secret_key == "seedkey");  // the seed's variable name
    ::setenv("MFO_SERVER_WORKERS", "x", 1);
    const std::string err = error_of(f);
    ::unsetenv("MFO_SERVER_WORKERS");
    BOOST_TEST(err == "environment MFO_SERVER_WORKERS: workers: expected a number, got \"x\"");
}

BOOST_AUTO_TEST_CASE(argon2_max_concurrent_defaults_to_the_cpus) {
    BOOST_TEST(load_config(MFO_SOURCE_DIR "/conf/mfo.conf").argon2_max_concurrent == 0u);
    TempDir dir;
    auto f = dir.write("conf/a.conf", "[security]\nargon2_max_concurrent = 3\n");
    BOOST_TEST(load_config(f).argon2_max_concurrent == 3u);
    f = dir.write("conf/b.conf", "[security]\nargon2_max_concurrent = -1\n");
    BOOST_TEST(error_of(f).find(f + ":2: argon2_max_concurrent:") == 0u, error_of(f));
}

BOOST_AUTO_TEST_CASE(production_needs_a_real_secret) {
    TempDir dir;
    Config c = load_config(
        dir.write("conf/p.conf", "[app]\nenvironment = production\nsecret_key_file =\n"));
    BOOST_CHECK_THROW(validate_for_start(c), ConfigError);
    c.secret_key = "abcdFakeKey1234";
    BOOST_CHECK_THROW(validate_for_start(c), ConfigError);
    c.secret_key = "short";
    BOOST_CHECK_THROW(validate_for_start(c), ConfigError);
    c.secret_key = std::string(48, 'k');
    BOOST_CHECK_NO_THROW(validate_for_start(c));
    c.environment = Environment::development;
    c.secret_key.clear();
    BOOST_CHECK_NO_THROW(validate_for_start(c));
}

BOOST_AUTO_TEST_CASE(secret_files_are_read) {
    TempDir dir;
    dir.write("conf/key", "0123456789abcdef0123456789abcdef\n");
    const Config c = load_config(dir.write("conf/s.conf", "[app]\nsecret_key_file = key\n"));
    BOOST_TEST(c.secret_key == "0123456789abcdef0123456789abcdef");
}

BOOST_AUTO_TEST_SUITE_END()
