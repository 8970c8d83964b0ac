// Every status the app can end a request with keeps its status on the HTML
// error page (issue 19: a text/plain POST used to become a 500). The codes
// are read from the sources, so a status added later is walked too.

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "test_auth_helpers.hpp"

using namespace mfo::test;
using namespace mfo::test::auth_tests;

namespace {

// Literal statuses passed to HttpError, ConsoleRefusal, error_response and
// json_error anywhere in fcgi-app/.
std::set<int> statuses_in_sources() {
    const std::regex call(
        R"((?:HttpError|ConsoleRefusal|json_error)\(\s*([45]\d\d)|error_response\(ctx,\s*([45]\d\d))");
    std::set<int> found;
    for (const auto& entry :
         std::filesystem::recursive_directory_iterator(std::string(MFO_SOURCE_DIR) + "/fcgi-app")) {
        if (!entry.is_regular_file()) continue;
        const auto ext = entry.path().extension();
        if (ext != ".cpp" && ext != ".hpp") continue;
        std::ifstream in(entry.path());
        std::stringstream text;
        text << in.rdbuf();
        const std::string s = text.str();
        for (std::sregex_iterator it(s.begin(), s.end(), call), end; it != end; ++it) {
            found.insert(std::stoi((*it)[1].matched ? (*it)[1].str() : (*it)[2].str()));
        }
    }
    return found;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(error_statuses)

BOOST_AUTO_TEST_CASE(every_status_in_the_code_keeps_its_status_for_html_and_json) {
    const std::set<int> statuses = statuses_in_sources();
    BOOST_TEST_REQUIRE(statuses.count(415) == 1u, "the scan finds the known 415s");
    BOOST_TEST_REQUIRE(statuses.size() >= 6u);
    HttpClient client(shared_base_url());
    for (const int status : statuses) {
        BOOST_TEST_CONTEXT("status " << status) {
            const std::string path = "/__test/status?code=" + std::to_string(status);
            const HttpResponse html = client.get(path, {{"Accept", "text/html"}});
            BOOST_TEST(html.status == status);
            BOOST_TEST(has(html.body, "Error " + std::to_string(status)));
            if (status != 500) BOOST_TEST(!has(html.body, "Something went wrong"));
            BOOST_TEST(has(html.header("content-type"), "text/html"));
            const HttpResponse json = client.get(path, {{"Accept", "application/json"}});
            BOOST_TEST(json.status == status);
            BOOST_TEST(nlohmann::json::parse(json.body)["meta"]["code"] == status);
        }
    }
}

BOOST_AUTO_TEST_CASE(a_client_error_without_its_own_page_keeps_its_status) {
    HttpClient client(shared_base_url());
    for (const int status : {401, 402, 406, 410, 418, 422, 451}) {
        BOOST_TEST_CONTEXT("status " << status) {
            const HttpResponse r = client.get("/__test/status?code=" + std::to_string(status));
            BOOST_TEST(r.status == status);
            BOOST_TEST(has(r.body, "Error " + std::to_string(status)));
        }
    }
    // A server error other than 503 is shown as a plain 500.
    BOOST_TEST(client.get("/__test/status?code=502").status == 500);
}

BOOST_AUTO_TEST_CASE(a_text_plain_post_is_a_415_not_a_500) {
    for (const std::string path : {"/login", "/register"}) {
        BOOST_TEST_CONTEXT(path) {
            HttpClient client(shared_base_url());
            const std::string token = form_token(client, path);
            const HttpResponse r =
                client.request("POST", path, "email=a@example.com&csrf_token=" + token,
                               "text/plain", {{"Accept", "text/html"}});
            BOOST_TEST(r.status == 415);
            BOOST_TEST(has(r.body, "Unsupported form encoding"));
            BOOST_TEST(has(r.body, "application/x-www-form-urlencoded"));
        }
    }
    // The admin console's forms too (token in the header, so the CSRF check passes).
    const TestAccount admin = create_account("err-admin", {"Admin"});
    HttpClient client(shared_base_url());
    login_ok(client, admin.email, admin.password);
    const std::string token = page_token(client);
    const HttpResponse r = client.request("POST", "/admin/roles", "name=x", "text/plain",
                                          {{"Accept", "text/html"}, {"X-CSRF-Token", token}});
    BOOST_TEST(r.status == 415);
    BOOST_TEST(has(r.body, "Unsupported form encoding"));
}

BOOST_AUTO_TEST_SUITE_END()
