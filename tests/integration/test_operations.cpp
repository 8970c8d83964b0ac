// Operating the pool: /healthz, /readyz, /status (JSON and Prometheus) and its
// from= rule, the slow log, request_timeout, max_requests / max_rss_mb
// recycling and SIGUSR1 log reopening. Each test that reconfigures the pool
// does it to a PrivateStack of its own.

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "child_process.hpp"
#include "http_client.hpp"
#include "private_stack.hpp"
#include "server_checks.hpp"

using namespace mfo::test;
using namespace mfo::test::proc;
using namespace mfo::test::server_tests;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

namespace {

json status_of(HttpClient& client) {
    const HttpResponse r = client.get("/status");
    BOOST_REQUIRE_EQUAL(r.status, 200);
    BOOST_REQUIRE(contains(r.header("content-type"), "application/json"));
    return json::parse(r.body);
}

std::uint64_t restarts(HttpClient& client, const std::string& cause) {
    return status_of(client)["pool"]["restarts"][cause].get<std::uint64_t>();
}

// Sends GET `path` from `threads` threads, `per_thread` times each, and
// returns the statuses other than 200 (with what failed).
std::vector<std::string> hammer(const std::string& base_url, const std::string& path, int threads,
                                int per_thread) {
    std::mutex mutex;
    std::vector<std::string> failures;
    std::vector<std::jthread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&] {
            HttpClient client(base_url);
            client.timeout_seconds = 10;
            for (int i = 0; i < per_thread; ++i) {
                std::string failure;
                try {
                    const HttpResponse r = client.get(path);
                    if (r.status != 200) failure = "status " + std::to_string(r.status);
                } catch (const std::exception& e) {
                    failure = e.what();
                }
                if (!failure.empty()) {
                    std::lock_guard lock(mutex);
                    failures.push_back(failure);
                }
            }
        });
    }
    pool.clear();  // joins
    return failures;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(operations)

BOOST_AUTO_TEST_CASE(health_checks_answer_and_stay_out_of_the_log) {
    PrivateStack stack;
    HttpClient client(stack.base_url());
    const std::string marker = "/login?x=" + unique_suffix();
    for (int i = 0; i < 3; ++i) {
        const HttpResponse h = client.get("/healthz");
        BOOST_CHECK_EQUAL(h.status, 200);
        BOOST_CHECK_EQUAL(h.body, "ok\n");
        BOOST_CHECK(contains(h.header("cache-control"), "no-store"));
        const HttpResponse r = client.get("/readyz");
        BOOST_CHECK_EQUAL(r.status, 200);
        BOOST_CHECK_EQUAL(r.body, "ok\n");
        BOOST_CHECK(client.cookies().empty());  // no session, no CSRF cookie
    }
    BOOST_CHECK_EQUAL(client.head("/healthz").status, 200);
    BOOST_CHECK_EQUAL(client.request("POST", "/healthz", "", "").status, 405);
    // A request after them is logged; they are not.
    BOOST_CHECK_EQUAL(client.get(marker).status, 200);
    BOOST_REQUIRE(stack.wait_for_log("path=\"/login\" status=200", 5s));
    const std::string log = stack.pool_log();
    BOOST_CHECK(!contains(log, "path=\"/healthz\""));
    BOOST_CHECK(!contains(log, "path=\"/readyz\""));
}

BOOST_AUTO_TEST_CASE(status_reports_the_pool_as_json_and_prometheus) {
    PrivateStack stack;
    HttpClient client(stack.base_url());
    const auto workers = stack.worker_pids();
    BOOST_REQUIRE_GE(workers.size(), 2u);
    for (int i = 0; i < 5; ++i) BOOST_REQUIRE_EQUAL(client.get("/login").status, 200);
    BOOST_REQUIRE_EQUAL(client.get("/no-such-page").status, 404);
    // A failed login (an unknown account) counts as an attempt.
    const std::string token = input_value(client.get("/login").body, "csrf_token");
    client.post_form("/login", {{"csrf_token", token},
                                {"email", "nobody-" + unique_suffix() + "@example.com"},
                                {"password", "Not-The-Password-1"}});

    const json s = status_of(client);
    BOOST_TEST_MESSAGE(s.dump());
    const json& pool = s["pool"];
    BOOST_CHECK_EQUAL(pool["supervisor_pid"].get<pid_t>(), stack.pool_pid());
    BOOST_CHECK_EQUAL(pool["workers_configured"].get<std::size_t>(), workers.size());
    BOOST_CHECK_GE(pool["uptime_seconds"].get<long>(), 0);
    BOOST_CHECK_GE(pool["listen_queue"].get<long>(), 0);  // known for the unix socket
    BOOST_CHECK_GT(pool["listen_queue_max"].get<long>(), 0);
    BOOST_CHECK_GE(pool["busy_threads"].get<int>(), 1);  // this request
    BOOST_CHECK_GE(pool["idle_threads"].get<int>(), 1);
    for (const char* cause : {"crash", "max_requests", "max_rss", "request_timeout", "reload"}) {
        BOOST_CHECK_MESSAGE(pool["restarts"][cause] == 0, cause);
    }
    BOOST_CHECK_GE(s["requests"]["total"].get<long>(), 8);
    BOOST_CHECK_GE(s["requests"]["by_status"]["2xx"].get<long>(), 6);
    BOOST_CHECK_GE(s["requests"]["by_status"]["4xx"].get<long>(), 1);
    BOOST_CHECK_GE(s["login"]["attempts"].get<long>(), 1);
    BOOST_CHECK_EQUAL(s["login"]["sheds"].get<long>(), 0);
    BOOST_CHECK(s["database"].contains("errors"));
    BOOST_CHECK(s["database"].contains("reconnects"));
    BOOST_CHECK_EQUAL(s["argon2"]["waiting"].get<long>(), 0);
    BOOST_CHECK_EQUAL(s["argon2"]["running"].get<long>(), 0);
    std::vector<pid_t> listed;
    long served = 0;
    for (const auto& w : s["workers"]) {
        listed.push_back(w["pid"].get<pid_t>());
        served += w["requests"].get<long>();
        BOOST_CHECK_EQUAL(w["state"].get<std::string>(), "running");
        BOOST_CHECK_GT(w["rss_bytes"].get<long>(), 0);
    }
    std::sort(listed.begin(), listed.end());
    auto expected = workers;
    std::sort(expected.begin(), expected.end());
    BOOST_CHECK(listed == expected);
    BOOST_CHECK_EQUAL(served, s["requests"]["total"].get<long>());

    const HttpResponse p = client.get("/status?format=prometheus");
    BOOST_CHECK_EQUAL(p.status, 200);
    BOOST_CHECK(contains(p.header("content-type"), "text/plain; version=0.0.4"));
    for (const char* metric :
         {"mfo_uptime_seconds ", "mfo_listen_queue ", "mfo_requests_total{status=\"2xx\"} ",
          "mfo_worker_restarts_total{cause=\"crash\"} 0", "mfo_db_errors_total ",
          "mfo_db_reconnects_total ", "mfo_login_attempts_total ", "mfo_login_sheds_total 0",
          "mfo_argon2_waiting 0", "mfo_worker_busy_threads{pid=\""}) {
        BOOST_CHECK_MESSAGE(contains(p.body, metric), "no " << metric << " in\n" << p.body);
    }
    BOOST_CHECK_EQUAL(client.get("/status?format=xml").status, 400);
}

BOOST_AUTO_TEST_CASE(status_is_refused_outside_its_networks) {
    TempDir dir("mfo-rules-");
    const std::string rules = dir.path() + "/access.conf";
    std::string text = read_text_file(require_env("MFO_TEST_REPO_DIR") + "/conf/access.conf");
    const std::string loopback_rule = "from=127.0.0.1,::1";
    BOOST_REQUIRE(contains(text, loopback_rule));
    text.replace(text.find(loopback_rule), loopback_rule.size(), "from=10.0.0.0/8");
    {
        std::ofstream out(rules);
        out << text;
    }
    PrivateStack stack({{"MFO_APP_ACCESS_RULES", rules}});
    HttpClient client(stack.base_url());
    // nginx passes the client's address (127.0.0.1): not in 10.0.0.0/8.
    BOOST_CHECK_EQUAL(client.get("/status").status, 403);
    BOOST_CHECK_EQUAL(client.get("/status?format=prometheus").status, 403);
    BOOST_CHECK_EQUAL(client.get("/healthz").status, 200);

    // mfo-roles routes shows the network condition.
    const CommandResult routes = run_command({require_env("MFO_TEST_BIN_DIR") + "/mfo-roles",
                                              "--config", require_env("MFO_TEST_CONFIG"), "routes"},
                                             {{"MFO_APP_ACCESS_RULES", rules}}, 30s);
    BOOST_CHECK_EQUAL(routes.status, 0);
    BOOST_CHECK_MESSAGE(contains(routes.output, "public; from=10.0.0.0/8"), routes.output);
    BOOST_CHECK_MESSAGE(contains(routes.output, "anyone from 10.0.0.0/8"), routes.output);
}

BOOST_AUTO_TEST_CASE(slow_request_is_logged_with_its_phases) {
    PrivateStack stack({{"MFO_SERVER_SLOW_REQUEST_MS", "300"}});
    HttpClient client(stack.base_url());
    BOOST_REQUIRE_EQUAL(client.get("/login").status, 200);
    const HttpResponse r = client.get("/__test/slow?ms=600");
    BOOST_REQUIRE_EQUAL(r.status, 200);
    BOOST_REQUIRE(stack.wait_for_log("event=slow_request", 5s));
    const std::string log = stack.pool_log();
    const std::string line = log.substr(log.find("event=slow_request"));
    const std::string first = line.substr(0, line.find('\n'));
    BOOST_TEST_MESSAGE(first);
    BOOST_CHECK(contains(first, "level=warn") || contains(log, "level=warn event=slow_request"));
    BOOST_CHECK(contains(first, "path=\"/__test/slow\" status=200"));
    for (const char* field :
         {" session_us=", " handler_us=", " render_us=", " db_us=", " db_calls="}) {
        BOOST_CHECK_MESSAGE(contains(first, field), "no" << field << " in " << first);
    }
    const auto handler = first.find(" handler_us=");
    BOOST_REQUIRE(handler != std::string::npos);
    BOOST_CHECK_GE(std::stol(first.substr(handler + 12)), 600'000);
    // Only the slow one: the quick GET /login is an ordinary request line.
    BOOST_CHECK_EQUAL(occurrences(log, "event=slow_request"), 1u);
    BOOST_CHECK_EQUAL(status_of(client)["requests"]["slow"].get<int>(), 1);
}

BOOST_AUTO_TEST_CASE(request_past_request_timeout_gets_its_worker_replaced) {
    PrivateStack stack({{"MFO_SERVER_REQUEST_TIMEOUT", "1"}, {"MFO_SERVER_DRAIN_TIMEOUT", "1"}});
    HttpClient client(stack.base_url());
    client.timeout_seconds = 20;
    const auto before = stack.worker_pids();
    const auto sent = Clock::now();
    const HttpResponse stuck = client.get("/__test/slow?ms=15000");
    const auto took = Clock::now() - sent;
    // Cut off: 1 s of request_timeout (+ one 250 ms look), 1 s of drain.
    BOOST_CHECK_EQUAL(stuck.status, 502);
    BOOST_CHECK_MESSAGE(took < 8s,
                        "the stuck request took "
                            << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                            << " ms");
    BOOST_REQUIRE(stack.wait_for_log("event=request_timeout", 5s));
    const std::string log = stack.pool_log();
    const std::string line = log.substr(log.find("event=request_timeout"));
    BOOST_CHECK(contains(line.substr(0, line.find('\n')), "path=\"/__test/slow?ms=15000\""));
    BOOST_CHECK(contains(log, "(request_timeout)"));
    // A replacement took the slot; service goes on.
    BOOST_CHECK(wait_until(
        [&] {
            const auto now = stack.worker_pids();
            return now.size() == before.size() && now != before;
        },
        10s));
    BOOST_CHECK_EQUAL(client.get("/login").status, 200);
    BOOST_CHECK_EQUAL(restarts(client, "request_timeout"), 1u);
    BOOST_CHECK_EQUAL(restarts(client, "crash"), 0u);
}

BOOST_AUTO_TEST_CASE(max_requests_recycles_workers_without_dropping_a_request) {
    PrivateStack stack({{"MFO_SERVER_MAX_REQUESTS", "25"}});
    const auto failures = hammer(stack.base_url(), "/login", 4, 50);
    BOOST_CHECK_MESSAGE(failures.empty(), failures.size()
                                              << " of 200 requests failed, first: "
                                              << (failures.empty() ? "" : failures.front()));
    HttpClient client(stack.base_url());
    // 200 requests over 2 workers that each serve 23-25: at least 6 replacements.
    BOOST_CHECK(wait_until([&] { return restarts(client, "max_requests") >= 6; }, 10s));
    const json s = status_of(client);
    BOOST_CHECK_EQUAL(s["pool"]["restarts"]["crash"].get<int>(), 0);
    BOOST_CHECK_GE(s["requests"]["total"].get<long>(), 200);  // totals survive the workers
    for (const auto& w : s["workers"]) {
        const long limit = w["request_limit"].get<long>();
        BOOST_CHECK(limit >= 23 && limit <= 25);
    }
    BOOST_CHECK(contains(stack.pool_log(), "(max_requests): served "));
    BOOST_CHECK(!contains(stack.pool_log(), " died ("));
}

BOOST_AUTO_TEST_CASE(max_rss_replaces_a_worker_gracefully) {
    // Every worker is above 1 MiB: each is replaced soon after it starts.
    PrivateStack stack({{"MFO_SERVER_MAX_RSS_MB", "1"}});
    HttpClient client(stack.base_url());
    BOOST_CHECK(wait_until([&] { return restarts(client, "max_rss") >= 2; }, 10s));
    const auto failures = hammer(stack.base_url(), "/login", 2, 20);
    BOOST_CHECK_MESSAGE(failures.empty(), failures.size()
                                              << " of 40 requests failed, first: "
                                              << (failures.empty() ? "" : failures.front()));
    BOOST_CHECK(contains(stack.pool_log(), "MiB > max_rss_mb 1"));
    BOOST_CHECK(!contains(stack.pool_log(), " died ("));
}

BOOST_AUTO_TEST_CASE(sigusr1_reopens_the_log_file) {
    TempDir dir("mfo-logs-");
    const std::string log_file = dir.path() + "/pool.log";
    PrivateStack stack({{"MFO_SERVER_LOG_FILE", log_file}});
    HttpClient client(stack.base_url());
    BOOST_REQUIRE_EQUAL(client.get("/login").status, 200);
    BOOST_REQUIRE(
        wait_until([&] { return contains(read_text_file(log_file), "path=\"/login\""); }, 5s));

    // What logrotate does: move the file, then signal.
    const std::string rotated = log_file + ".1";
    BOOST_REQUIRE_EQUAL(std::rename(log_file.c_str(), rotated.c_str()), 0);
    BOOST_REQUIRE_EQUAL(::kill(stack.pool_pid(), SIGUSR1), 0);
    const auto workers = stack.worker_pids();
    // The supervisor and each worker say so in the new file.
    BOOST_REQUIRE(wait_until(
        [&] {
            const std::string fresh = read_text_file(log_file);
            return contains(fresh, "SIGUSR1: log files reopened") &&
                   occurrences(fresh, "log file reopened by worker") >= workers.size();
        },
        5s));
    const std::size_t old_size = read_text_file(rotated).size();
    const std::string marker = "/login?after=" + unique_suffix();
    for (int i = 0; i < 6; ++i) BOOST_CHECK_EQUAL(client.get(marker).status, 200);
    BOOST_CHECK(wait_until(
        [&] { return occurrences(read_text_file(log_file), "path=\"/login\" status=200") >= 6; },
        5s));
    BOOST_CHECK_EQUAL(read_text_file(rotated).size(), old_size);
    BOOST_CHECK(contains(read_text_file(rotated), "path=\"/login\""));
}

BOOST_AUTO_TEST_SUITE_END()
