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

// The shipped config names the secret files scripts/run makes on first run;
// a fresh checkout has none yet.
struct WithoutSecretFiles {
    WithoutSecretFiles() {
        for (const char* name : kNames) ::setenv(name, "", 1);
    }
    ~WithoutSecretFiles() {
        for (const char* name : kNames) ::unsetenv(name);
    }
    static constexpr const char* kNames[] = {"MFO_APP_SECRET_KEY_FILE",
                                             "MFO_DATABASE_PASSWORD_FILE",
                                             "MFO_DATABASE_ADMIN_PASSWORD_FILE"};
};

BOOST_AUTO_TEST_CASE(shipped_config_parses) {
    WithoutSecretFiles no_secrets;
    const Config c = load_config(MFO_SOURCE_DIR "/conf/mfo.conf");
    BOOST_TEST(c.threads == 8);
    BOOST_TEST(c.database.name == "mfo");
    BOOST_TEST(c.argon2_memory_kib == 19456u);
    BOOST_TEST(c.listen.rfind("unix:", 0) == 0u);
    BOOST_TEST(c.templates_dir ==
               fs::path(MFO_SOURCE_DIR "/templates").lexically_normal().string());
}

BOOST_AUTO_TEST_CASE(operating_settings_parse_and_are_bounded) {
    WithoutSecretFiles no_secrets;
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
    WithoutSecretFiles no_secrets;
    BOOST_TEST(load_config(MFO_SOURCE_DIR "/conf/mfo.conf").argon2_max_concurrent == 0u);
    TempDir dir;
    auto f = dir.write("conf/a.conf", "[security]\nargon2_max_concurrent = 3\n");
    BOOST_TEST(load_config(f).argon2_max_concurrent == 3u);
    f = dir.write("conf/b.conf", "[security]\nargon2_max_concurrent = -1\n");
    BOOST_TEST(error_of(f).find(f + ":2: argon2_max_concurrent:") == 0u, error_of(f));
}

BOOST_AUTO_TEST_CASE(database_timeouts_and_the_sign_in_cap) {
    WithoutSecretFiles no_secrets;
    const Config shipped = load_config(MFO_SOURCE_DIR "/conf/mfo.conf");
    BOOST_TEST(shipped.database.connect_timeout == 3);
    BOOST_TEST(shipped.database.read_timeout == 5);
    BOOST_TEST(shipped.database.write_timeout == 5);
    BOOST_TEST(shipped.database.breaker_failures == 3);
    BOOST_TEST(shipped.database.breaker_retry == 1);
    BOOST_TEST(shipped.max_sign_ins_in_flight == 4);  // half of the 8 threads
    TempDir dir;
    auto f = dir.write("conf/a.conf",
                       "[server]\nthreads = 3\n[database]\nread_timeout = 7\nwrite_timeout = 9\n");
    Config c = load_config(f);
    BOOST_TEST(c.database.read_timeout == 7);
    BOOST_TEST(c.database.write_timeout == 9);
    BOOST_TEST(c.max_sign_ins_in_flight == 1);
    f = dir.write("conf/b.conf", "[server]\nmax_sign_ins_in_flight = 6\n");
    BOOST_TEST(load_config(f).max_sign_ins_in_flight == 6);
    f = dir.write("conf/c.conf", "[database]\nread_timeout = 0\n");
    BOOST_TEST(error_of(f).find(f + ":2: read_timeout:") == 0u, error_of(f));
}

BOOST_AUTO_TEST_CASE(authorizer_listen_is_loopback_tcp_or_nothing) {
    WithoutSecretFiles no_secrets;
    BOOST_TEST(load_config(MFO_SOURCE_DIR "/conf/mfo.conf").authorizer_listen.empty());
    TempDir dir;
    auto f = dir.write("conf/a.conf", "[server]\nauthorizer_listen = 127.0.0.1:9012\n");
    BOOST_TEST(load_config(f).authorizer_listen == "127.0.0.1:9012");
    for (const char* bad : {"0.0.0.0:9012", "unix:/tmp/x.sock", "127.0.0.1:0", "127.0.0.1:x"}) {
        f = dir.write("conf/b.conf", std::string("[server]\nauthorizer_listen = ") + bad + "\n");
        BOOST_TEST(error_of(f).find(f + ":2: authorizer_listen:") == 0u, error_of(f));
    }
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

BOOST_AUTO_TEST_CASE(text_after_a_section_header_is_an_error) {
    // The README's own layout once read "[app]  environment = production":
    // libinih drops the setting silently.
    TempDir dir;
    auto f = dir.write("conf/a.conf", "[server]\nthreads = 4\n[app] environment = production\n");
    BOOST_TEST(error_of(f) == f + ":3: text after the section header [app]; put each setting on a "
                                  "line of its own");
    f = dir.write("conf/b.conf", "[app]   ; a comment\n[server] # another\nthreads = 4\n");
    BOOST_TEST(error_of(f) == "");
    BOOST_TEST(load_config(f).threads == 4);
}

BOOST_AUTO_TEST_CASE(missing_secret_files_are_errors_not_empty_secrets) {
    TempDir dir;
    const std::string missing = (dir.path / "conf/nope").string();
    auto f = dir.write("conf/a.conf", "[database]\npassword_file = nope\n");
    BOOST_TEST(error_of(f) == f + ":2: password_file: " + missing + " does not exist");
    f = dir.write("conf/b.conf", "[app]\nenvironment = production\nsecret_key_file = nope\n");
    BOOST_TEST(error_of(f) == f + ":3: secret_key_file: " + missing + " does not exist");
    dir.write("conf/empty", "\n");
    f = dir.write("conf/c.conf", "[database]\npassword_file = empty\n");
    BOOST_TEST(error_of(f).find(f + ":2: password_file: ") == 0u, error_of(f));
    // The DDL account's secret: only the tools need it, so the pool loads
    // the config; the problem is kept for the tools to report.
    f = dir.write("conf/d.conf", "[database]\nadmin_password_file = nope\n");
    const Config c = load_config(f);
    BOOST_TEST(c.database.admin_password.empty());
    BOOST_TEST(c.database.admin_password_problem ==
               f + ":2: admin_password_file: " + missing + " does not exist");
    // An inline password wins; the file is then not needed.
    f = dir.write("conf/e.conf", "[database]\npassword = pw\npassword_file = nope\n");
    BOOST_TEST(load_config(f).database.password == "pw");
}

BOOST_AUTO_TEST_CASE(values_from_dotenv_say_so) {
    TempDir dir;
    const auto f = dir.write("conf/mfo.conf", "[app]\nenvironment = production\n");
    const std::string dotenv = (dir.path / ".env").string();
    dir.write(".env", "# the Flask app's\nSECURITY_PASSWORD_SALT=pepper\nMFO_SERVER_WORKERS=x\n");
    BOOST_TEST(error_of(f) ==
               dotenv + ":3 (MFO_SERVER_WORKERS): workers: expected a number, got \"x\"");
    dir.write(".env",
              "SECURITY_PASSWORD_SALT=pepper\nFLASK_SECRET_KEY=change-me\nMFO_SERVER_THREADS=3\n");
    const Config c = load_config(f);
    BOOST_TEST(c.password_pepper == "pepper");
    const auto overrides = c.dotenv_security_overrides();
    BOOST_TEST_REQUIRE(overrides.size() == 2u);
    BOOST_TEST(overrides[0] == "[app] secret_key from " + dotenv + ":2 (FLASK_SECRET_KEY)");
    BOOST_TEST(overrides[1] ==
               "[security] password_pepper from " + dotenv + ":1 (SECURITY_PASSWORD_SALT)");
    std::string err;
    try {
        validate_for_start(c);
    } catch (const ConfigError& e) {
        err = e.what();
    }
    BOOST_TEST(err.find(dotenv + ":2 (FLASK_SECRET_KEY): the secret key is an example") == 0u, err);
}

BOOST_AUTO_TEST_CASE(admin_read_timeout_defaults_to_none) {
    TempDir dir;
    BOOST_TEST(load_config(dir.write("conf/a.conf", "")).database.admin_read_timeout == 0);
    const auto f = dir.write("conf/b.conf", "[database]\nadmin_read_timeout = 3600\n");
    BOOST_TEST(load_config(f).database.admin_read_timeout == 3600);
}

BOOST_AUTO_TEST_SUITE_END()
