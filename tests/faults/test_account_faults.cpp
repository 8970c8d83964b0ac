// Races and operator actions under load: 16 concurrent registrations of one
// new email make exactly one account; `mfo-users revoke-sessions` and
// `deactivate` take effect on the user's very next request.

#include <boost/test/unit_test.hpp>
#include <thread>

#include "accounts.hpp"
#include "child_process.hpp"
#include "fault_support.hpp"
#include "private_stack.hpp"
#include "session_feed_wait.hpp"

using namespace mfo::test;
using namespace mfo::test::faults;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(account_faults)

BOOST_AUTO_TEST_CASE(sixteen_concurrent_registrations_of_one_email_make_one_account) {
    auto settings = fault_stack_settings();
    // Every registration reaches the handler at once (none shed by the cap).
    settings.emplace_back("MFO_SERVER_MAX_SIGN_INS_IN_FLIGHT", "8");
    PrivateStack stack(settings);
    const HttpClient background = logged_in_client(stack.base_url(), "regload");
    Load load(
        4, [background](int) { return background; }, [](int, HttpClient& c) { return c.get("/"); });

    const std::string email = fresh_email("race");
    constexpr int kRacers = 16;
    std::vector<HttpClient> clients;
    std::vector<std::string> tokens;
    for (int i = 0; i < kRacers; ++i) {
        clients.emplace_back(stack.base_url());
        tokens.push_back(form_token(clients.back(), "/register"));
    }
    std::vector<long> statuses(kRacers, 0);
    std::vector<std::string> cookies(kRacers);
    {
        std::vector<std::jthread> racers;
        std::atomic<int> ready{0};
        for (int i = 0; i < kRacers; ++i) {
            racers.emplace_back([&, i] {
                const std::string password = fresh_password();
                ++ready;
                while (ready.load() < kRacers) std::this_thread::yield();  // start together
                const HttpResponse r =
                    clients[i].post_form("/register", {{"email", email},
                                                       {"password", password},
                                                       {"password_confirm", password},
                                                       {"csrf_token", tokens[i]}});
                statuses[i] = r.status;
                cookies[i] = r.set_cookie("mfo_session");
            });
        }
    }
    const auto pages = load.stop();
    int created = 0;
    std::string all;
    for (int i = 0; i < kRacers; ++i) {
        created += statuses[i] == 302 && !cookies[i].empty();
        all += std::to_string(statuses[i]) + " ";
    }
    const std::string listing = run_admin_tool_ok("mfo-users", {"list"});
    const std::size_t accounts = count_of(listing, email);
    figure("16 registrations of one email",
           "statuses " + all + "; " + std::to_string(accounts) +
               " account(s); background GET /: " + status_counts(pages));
    BOOST_CHECK_EQUAL(accounts, 1u);
    BOOST_CHECK_EQUAL(created, 1);
    for (long s : statuses) BOOST_CHECK(s == 302 || s == 200 || s == 503);
}

BOOST_AUTO_TEST_CASE(revoke_sessions_and_deactivate_take_effect_once_the_feed_is_read) {
    PrivateStack stack(fault_stack_settings());
    const HttpClient background = logged_in_client(stack.base_url(), "opsload");
    Load load(
        4, [background](int) { return background; }, [](int, HttpClient& c) { return c.get("/"); });

    const TestAccount account = create_account("ops");
    HttpClient user(stack.base_url());
    login_ok(user, account.email, account.password);
    BOOST_REQUIRE_EQUAL(user.get("/").status, 200);
    revoke_account_sessions(account.email);
    // Every worker has read the revocation feed since (the session cache).
    BOOST_REQUIRE(wait_for_session_feed(stack.base_url()));
    const HttpResponse after_revoke = user.get("/");
    BOOST_CHECK_EQUAL(after_revoke.status, 302);
    BOOST_CHECK(after_revoke.header("location").rfind("/login", 0) == 0);

    HttpClient again(stack.base_url());
    login_ok(again, account.email, account.password);
    BOOST_REQUIRE_EQUAL(again.get("/").status, 200);
    deactivate_account(account.email);
    BOOST_REQUIRE(wait_for_session_feed(stack.base_url()));
    const HttpResponse after_deactivate = again.get("/");
    BOOST_CHECK_EQUAL(after_deactivate.status, 302);
    HttpClient third(stack.base_url());
    const HttpResponse relogin = login(third, account.email, account.password);
    BOOST_CHECK(relogin.status != 302);

    const auto pages = load.stop();
    figure("mfo-users revoke-sessions / deactivate",
           "next request after revoke-sessions: " + std::to_string(after_revoke.status) +
               ", after deactivate: " + std::to_string(after_deactivate.status) +
               ", login after deactivate: " + std::to_string(relogin.status) +
               "; background GET /: " + status_counts(pages));
    for (const Sample& s : pages) BOOST_CHECK_EQUAL(s.status, 200);
}

BOOST_AUTO_TEST_SUITE_END()
