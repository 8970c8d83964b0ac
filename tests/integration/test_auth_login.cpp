// POST /login: one answer for every failure (status, body and timing alike),
// per-account throttling, same-origin redirects only, and hostile input shown
// escaped.

#include <boost/test/unit_test.hpp>

#include "config.hpp"
#include "crypto.hpp"
#include "test_auth_helpers.hpp"

using namespace mfo::test;
using namespace mfo::test::auth_tests;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kInvalid = "Invalid email or password";

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
    if (from.empty()) return s;
    for (std::size_t p = 0; (p = s.find(from, p)) != std::string::npos; p += to.size()) {
        s.replace(p, from.size(), to);
    }
    return s;
}

// A failed login's answer, with what legitimately differs between attempts
// (the echoed email, the CSRF token) replaced by placeholders.
struct FailureShape {
    long status = 0;
    std::string content_type;
    std::string cache_control;
    std::vector<std::string> cookie_names;
    std::string body;
};

FailureShape shape_of(const HttpResponse& r, const std::string& email, const std::string& token) {
    FailureShape s;
    s.status = r.status;
    s.content_type = r.header("content-type");
    s.cache_control = r.header("cache-control");
    for (const auto& c : r.set_cookies) s.cookie_names.push_back(parse_set_cookie(c).name);
    s.body = replace_all(replace_all(r.body, email, "{EMAIL}"), token, "{TOKEN}");
    return s;
}

void check_same_shape(const FailureShape& a, const FailureShape& b, const std::string& what) {
    BOOST_TEST_CONTEXT(what) {
        BOOST_TEST(a.status == b.status);
        BOOST_TEST(a.content_type == b.content_type);
        BOOST_TEST(a.cache_control == b.cache_control);
        BOOST_TEST(a.cookie_names == b.cookie_names, boost::test_tools::per_element());
        BOOST_TEST(a.body == b.body);
    }
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

// Seconds one failed POST /login takes (a fresh client per try, so every try
// pays the same: GET /login is not timed).
double timed_failure(const std::string& email, const std::string& password) {
    HttpClient client(shared_base_url());
    const std::string token = login_form_token(client);
    const auto start = Clock::now();
    const HttpResponse r =
        client.post_form("/login", {{"email", email}, {"password", password}, {"csrf_token", token}});
    const double took = seconds_since(start);
    if (r.status != 200 || !has(r.body, kInvalid)) {
        throw std::runtime_error("expected a failed login for " + email + ", got " +
                                 std::to_string(r.status));
    }
    return took;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(auth_login)

// ---- every failure looks the same -----------------------------------------------

BOOST_AUTO_TEST_CASE(failures_are_identical_for_unknown_wrong_and_inactive) {
    const TestAccount active = create_account("same-act");
    const TestAccount inactive = create_account("same-inact", {"User"}, false);
    const std::string unknown = fresh_email("same-unk");

    HttpClient client(shared_base_url());
    const std::string token = login_form_token(client);
    auto attempt = [&](const std::string& email, const std::string& password) {
        const HttpResponse r = client.post_form(
            "/login", {{"email", email}, {"password", password}, {"csrf_token", token}});
        BOOST_TEST(has(r.body, kInvalid), "no generic message for " << email);
        BOOST_TEST(!cookie_in(r, kSessionCookie).has_value());
        return shape_of(r, email, token);
    };
    const FailureShape wrong = attempt(active.email, "Wrong-Pass-2026");
    BOOST_TEST(wrong.status == 200);
    check_same_shape(wrong, attempt(unknown, "Wrong-Pass-2026"), "unknown email");
    check_same_shape(wrong, attempt(inactive.email, inactive.password), "inactive, right password");
    check_same_shape(wrong, attempt(inactive.email, "Wrong-Pass-2026"), "inactive, wrong password");
    check_same_shape(wrong, attempt(active.email, ""), "empty password");
    BOOST_TEST(current_email(client).empty());

    // The messages the seed used to tell them apart are gone.
    for (const std::string telltale : {"Specified user does not exist", "Invalid password",
                                       "Account is disabled", "not activated"}) {
        BOOST_TEST(!has(wrong.body, telltale));
    }
}

BOOST_AUTO_TEST_CASE(json_failures_are_identical_too) {
    const TestAccount active = create_account("json-act");
    const TestAccount inactive = create_account("json-inact", {"User"}, false);
    HttpClient client(shared_base_url());
    const std::string token = nlohmann::json::parse(
        client.get("/login", {{"Accept", "application/json"}}).body)["response"]["csrf_token"];
    auto attempt = [&](const std::string& email, const std::string& password) {
        return client.post_json("/login", nlohmann::json{{"email", email},
                                                         {"password", password},
                                                         {"csrf_token", token}}
                                              .dump());
    };
    const HttpResponse wrong = attempt(active.email, "Wrong-Pass-2026");
    BOOST_TEST(wrong.status == 400);
    BOOST_TEST(has(wrong.body, kInvalid));
    for (const HttpResponse& other : {attempt(fresh_email("json-unk"), "Wrong-Pass-2026"),
                                      attempt(inactive.email, inactive.password)}) {
        BOOST_TEST(other.status == wrong.status);
        BOOST_TEST(other.body == wrong.body);
        BOOST_TEST(other.set_cookies.size() == wrong.set_cookies.size());
    }
}

// An unknown email pays a dummy argon2 verify: it must not answer measurably
// faster than a wrong password (nor an inactive account differ either way).
BOOST_AUTO_TEST_CASE(failures_take_about_the_same_time) {
    constexpr int kTries = 7;
    // Spread the wrong-password tries over accounts so none gets throttled.
    std::vector<TestAccount> actives, inactives;
    for (int i = 0; i < 3; ++i) {
        actives.push_back(create_account("time-act"));
        inactives.push_back(create_account("time-inact", {"User"}, false));
    }
    // Warm-up: connections and caches of the workers.
    timed_failure(fresh_email("time-warm"), "Wrong-Pass-2026");
    timed_failure(actives[0].email, "Wrong-Pass-2026");

    std::vector<double> unknown, wrong, inactive;
    for (int i = 0; i < kTries; ++i) {
        // Interleaved, so drift in machine load hits all three alike.
        unknown.push_back(timed_failure(fresh_email("time-unk"), "Wrong-Pass-2026"));
        const auto& a = actives[(i + 1) % actives.size()];
        wrong.push_back(timed_failure(a.email, "Wrong-Pass-2026"));
        const auto& in = inactives[i % inactives.size()];
        inactive.push_back(timed_failure(in.email, in.password));
    }
    const double m_unknown = median(unknown), m_wrong = median(wrong), m_inactive = median(inactive);
    BOOST_TEST_MESSAGE("median failed login: unknown " << m_unknown << " s, wrong password "
                                                       << m_wrong << " s, inactive " << m_inactive
                                                       << " s");
    BOOST_TEST(m_unknown / m_wrong > 0.5);
    BOOST_TEST(m_unknown / m_wrong < 2.0);
    BOOST_TEST(m_inactive / m_wrong > 0.5);
    BOOST_TEST(m_inactive / m_wrong < 2.0);
}

// ---- throttling -------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(repeated_failures_lock_the_account_but_not_others) {
    const mfo::Config config = mfo::load_config(require_env("MFO_TEST_CONFIG"));
    const int limit = config.login_max_failures;
    const TestAccount target = create_account("throttle");
    const TestAccount bystander = create_account("throttle-by");
    HttpClient client(shared_base_url());

    for (int i = 0; i < limit; ++i) {
        BOOST_TEST_CONTEXT("failure " << i + 1) {
            const HttpResponse r = login(client, target.email, "Wrong-Pass-2026");
            BOOST_TEST(r.status == 200);
            BOOST_TEST(has(r.body, kInvalid));
        }
    }
    // Locked now: even the right password is refused, in every spelling of
    // the address.
    for (const std::string& spelling : {target.email, "  " + target.email + " ", "\t" + target.email}) {
        BOOST_TEST_CONTEXT("email \"" << spelling << "\"") {
            HttpClient c(shared_base_url());
            const HttpResponse r = login(c, spelling, target.password);
            BOOST_TEST(r.status == 429);
            const std::string retry = r.header("retry-after");
            BOOST_TEST_REQUIRE(!retry.empty());
            BOOST_TEST(std::all_of(retry.begin(), retry.end(), ::isdigit));
            BOOST_TEST(std::stol(retry) >= 1);
            BOOST_TEST(std::stol(retry) <= config.login_lockout);
            BOOST_TEST(has(r.body, "Too many failed login attempts"));
            BOOST_TEST(!cookie_in(r, kSessionCookie).has_value());
            BOOST_TEST(current_email(c).empty());
        }
    }
    {
        // The local part's case does not make another account key either.
        std::string shouted = target.email;
        std::transform(shouted.begin(), shouted.end(), shouted.begin(), ::toupper);
        HttpClient c(shared_base_url());
        BOOST_TEST(login(c, shouted, target.password).status == 429);
    }
    {
        HttpClient c(shared_base_url());
        const std::string token = nlohmann::json::parse(
            c.get("/login", {{"Accept", "application/json"}}).body)["response"]["csrf_token"];
        const HttpResponse r = c.post_json(
            "/login", nlohmann::json{{"email", target.email},
                                     {"password", target.password},
                                     {"csrf_token", token}}
                          .dump());
        BOOST_TEST(r.status == 429);
        BOOST_TEST(r.has_header("retry-after"));
        BOOST_TEST(current_email(c).empty());
    }

    // Another account, from the same client, is not affected.
    login_ok(client, bystander.email, bystander.password);
    BOOST_TEST(current_email(client) == bystander.email);
}

// The lock is keyed by the address whether or not an account has it, so a
// lock tells nothing about which accounts exist.
BOOST_AUTO_TEST_CASE(unknown_emails_are_throttled_the_same_way) {
    const mfo::Config config = mfo::load_config(require_env("MFO_TEST_CONFIG"));
    const std::string unknown = fresh_email("throttle-unk");
    HttpClient client(shared_base_url());
    for (int i = 0; i < config.login_max_failures; ++i) {
        BOOST_TEST(login(client, unknown, "Wrong-Pass-2026").status == 200);
    }
    const HttpResponse r = login(client, unknown, "Wrong-Pass-2026");
    BOOST_TEST(r.status == 429);
    BOOST_TEST(r.has_header("retry-after"));
}

BOOST_AUTO_TEST_CASE(a_success_resets_the_failure_count) {
    const mfo::Config config = mfo::load_config(require_env("MFO_TEST_CONFIG"));
    const TestAccount account = create_account("throttle-reset");
    for (int round = 0; round < 2; ++round) {
        HttpClient client(shared_base_url());
        for (int i = 0; i < config.login_max_failures - 1; ++i) {
            BOOST_TEST(login(client, account.email, "Wrong-Pass-2026").status == 200);
        }
        login_ok(client, account.email, account.password);
    }
}

// ---- open redirects -----------------------------------------------------------------

BOOST_AUTO_TEST_CASE(hostile_next_values_end_on_a_same_origin_location) {
    const TestAccount account = create_account("next");
    const std::string base = shared_base_url();
    for (const std::string& next : hostile_nexts()) {
        BOOST_TEST_CONTEXT("next \"" << printable(next) << "\"") {
            std::string why;
            // In the form body (as the hidden field carries it).
            HttpClient body_client(base);
            const HttpResponse r = login_ok(body_client, account.email, account.password,
                                            {{"next", next}});
            const std::string location = r.header("location");
            BOOST_TEST(same_origin_location(location, base, why),
                       "Location \"" << printable(location) << "\": " << why);

            // In the query string of the form's action.
            HttpClient query_client(base);
            const std::string token = login_form_token(query_client);
            const HttpResponse q = query_client.post_form(
                "/login?next=" + url_encode(next),
                {{"email", account.email}, {"password", account.password}, {"csrf_token", token}});
            BOOST_TEST(q.status == 302);
            BOOST_TEST(same_origin_location(q.header("location"), base, why),
                       "Location \"" << printable(q.header("location")) << "\": " << why);

            // The form does not carry it on.
            HttpClient page_client(base);
            const HttpResponse page = page_client.get("/login?next=" + url_encode(next));
            BOOST_TEST(page.status == 200);
            const std::string hidden = input_value(page.body, "next");
            BOOST_TEST((hidden.empty() || same_origin_location(hidden, base, why)),
                       "hidden next \"" << printable(hidden) << "\"");
        }
    }
}

BOOST_AUTO_TEST_CASE(local_next_values_are_followed) {
    const TestAccount account = create_account("next-ok", {"Admin"});
    for (const std::string next : {"/admin", "/?x=1", "/admin?tab=users&x=%2F", "/api/me"}) {
        BOOST_TEST_CONTEXT("next " << next) {
            HttpClient client(shared_base_url());
            const HttpResponse r = login_ok(client, account.email, account.password, {{"next", next}});
            BOOST_TEST(r.header("location") == next);
        }
    }
}

// ---- hostile input is shown escaped ---------------------------------------------------

BOOST_AUTO_TEST_CASE(hostile_email_is_escaped_when_the_form_is_shown_again) {
    HttpClient client(shared_base_url());
    // Unique per run: failed logins count against the (raw) address.
    const std::string run = mfo::crypto::hex(mfo::crypto::random_bytes(6));
    for (const std::string& email :
         {"<script>x</script>" + run + "@example.com", "\"><script>alert(1)</script>" + run,
          "a+<b>" + run + "@example.com"}) {
        BOOST_TEST_CONTEXT("email " << email) {
            const HttpResponse r = login(client, email, "Wrong-Pass-2026");
            BOOST_TEST(r.status == 200);
            BOOST_TEST(has(r.body, kInvalid));
            BOOST_TEST(!has(r.body, "<script>"));
            BOOST_TEST(!has(r.body, "<b>"));
            // The value survives the round trip (escaped, not dropped).
            BOOST_TEST(input_value(r.body, "email") == email);
        }
    }
}

BOOST_AUTO_TEST_CASE(hostile_next_is_escaped_in_the_login_form) {
    HttpClient client(shared_base_url());
    const std::string next = "/\"><script>alert(1)</script>";
    const HttpResponse r = client.get("/login?next=" + url_encode(next));
    BOOST_TEST(r.status == 200);
    BOOST_TEST(!has(r.body, "<script>"));
    const std::string hidden = input_value(r.body, "next");
    BOOST_TEST((hidden.empty() || hidden == next));
}

BOOST_AUTO_TEST_SUITE_END()
