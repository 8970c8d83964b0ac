#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <functional>
#include <regex>
#include <string>

#include "http/request_log.hpp"

using namespace mfo;

namespace {

// What `write_log` puts on stderr.
std::string captured_stderr(const std::function<void()>& write_log) {
    std::FILE* file = std::tmpfile();
    BOOST_REQUIRE(file);
    const int saved = ::dup(STDERR_FILENO);
    ::dup2(::fileno(file), STDERR_FILENO);
    write_log();
    ::dup2(saved, STDERR_FILENO);
    ::close(saved);
    std::string out;
    std::rewind(file);
    char buf[4096];
    while (const std::size_t n = std::fread(buf, 1, sizeof buf, file)) out.append(buf, n);
    std::fclose(file);
    return out;
}

const std::string kTs = R"(ts=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)";

}  // namespace

BOOST_AUTO_TEST_SUITE(request_log)

BOOST_AUTO_TEST_CASE(request_line_fields) {
    const std::string line = captured_stderr([] {
        log_request(RequestLogEntry{"1a2b-3c", "GET", "/login", 200, 1234, 0});
        log_request(RequestLogEntry{"1a2b-3d", "POST", "/admin", 302, 0, 42});
    });
    const std::regex expected(kTs +
                              R"( level=info event=request rid=1a2b-3c method="GET" path="/login")"
                              R"( status=200 dur_us=1234 uid=-\n)" +
                              kTs +
                              R"( level=info event=request rid=1a2b-3d method="POST" path="/admin")"
                              R"( status=302 dur_us=0 uid=42\n)");
    BOOST_TEST(std::regex_match(line, expected), line);
}

BOOST_AUTO_TEST_CASE(values_are_escaped_and_cut) {
    const std::string path = std::string("/a\"b\\c\x01\x7f\xc3\xa9") + std::string(600, 'x');
    const std::string line = captured_stderr([&] { log_error("rid-1", "bad \"input\"\n"); });
    BOOST_TEST(
        std::regex_match(
            line, std::regex(kTs + R"( level=error rid=rid-1 msg="bad \\"input\\"\\x0a"\n)")),
        line);
    const std::string request = captured_stderr([&] {
        log_request(RequestLogEntry{"r", "GET", path, 404, 5, 0});
    });
    // 512 bytes of the path at most, escaped; bytes above 0x7f pass through.
    const std::string logged = std::string(R"(path="/a\"b\\c\x01\x7f)") + "\xc3\xa9" +
                               std::string(512 - 10, 'x') + "\" status=404";
    BOOST_TEST(request.find(logged) != std::string::npos, request);
}

BOOST_AUTO_TEST_CASE(event_line_has_the_pid) {
    const std::string line = captured_stderr([] { log_event("worker started"); });
    BOOST_TEST(
        std::regex_match(line, std::regex(kTs + " level=info pid=" + std::to_string(::getpid()) +
                                          R"( msg="worker started"\n)")),
        line);
}

BOOST_AUTO_TEST_CASE(request_ids_name_the_process_also_after_fork) {
    char pid_hex[16];
    std::snprintf(pid_hex, sizeof pid_hex, "%x", static_cast<unsigned>(::getpid()));
    const std::string first = next_request_id();
    const std::string second = next_request_id();
    BOOST_TEST(first.rfind(std::string(pid_hex) + "-", 0) == 0u, first);
    BOOST_TEST(first != second);
    BOOST_TEST(std::regex_match(first, std::regex("[0-9a-f]+-[0-9a-f]+")), first);

    // A forked worker must not keep the parent's pid.
    int fds[2];
    BOOST_REQUIRE(::pipe(fds) == 0);
    const pid_t child = ::fork();
    BOOST_REQUIRE(child >= 0);
    if (child == 0) {
        char buf[64];
        const int n = std::snprintf(buf, sizeof buf, "%x %s", static_cast<unsigned>(::getpid()),
                                    next_request_id().c_str());
        (void)!::write(fds[1], buf, static_cast<std::size_t>(n));
        ::_exit(0);
    }
    ::close(fds[1]);
    char buf[64] = {};
    const ssize_t n = ::read(fds[0], buf, sizeof buf - 1);
    ::close(fds[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    BOOST_REQUIRE(n > 0);
    const std::string reply(buf, static_cast<std::size_t>(n));
    const std::string child_pid = reply.substr(0, reply.find(' '));
    const std::string child_id = reply.substr(reply.find(' ') + 1);
    BOOST_TEST(child_id.rfind(child_pid + "-", 0) == 0u, reply);
    BOOST_TEST(next_request_id().rfind(std::string(pid_hex) + "-", 0) == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
