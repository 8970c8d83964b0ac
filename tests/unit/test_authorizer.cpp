// Which answer a request asks for: the FastCGI role and nginx's
// MFO_AUTHORIZE param decide, and a request for one role is never taken for
// the other (pipeline/authorizer.hpp).

#include <boost/test/unit_test.hpp>

#include "http/http_error.hpp"
#include "pipeline/authorizer.hpp"

using namespace mfo;

namespace {

RequestParams with_authorize(const char* value) {
    RequestParams p;
    p.values[RequestParams::request_method] = "GET";
    p.values[RequestParams::mfo_authorize] = value;
    return p;
}

int status_of(FcgiRole role, const RequestParams& params) {
    try {
        authorizer_kind(role, params);
    } catch (const HttpError& e) {
        return e.status();
    }
    return 0;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(authorizer)

BOOST_AUTO_TEST_CASE(a_plain_responder_request_is_a_page_request) {
    BOOST_TEST(!authorizer_kind(FcgiRole::responder, with_authorize(nullptr)).has_value());
}

BOOST_AUTO_TEST_CASE(nginx_asks_with_a_param_on_the_responder_role) {
    BOOST_TEST((authorizer_kind(FcgiRole::responder, with_authorize("check")) ==
                AuthorizerKind::nginx_check));
    BOOST_TEST((authorizer_kind(FcgiRole::responder, with_authorize("page")) ==
                AuthorizerKind::nginx_page));
    for (const char* bad : {"", "Check", "yes", "check "}) {
        BOOST_TEST(status_of(FcgiRole::responder, with_authorize(bad)) == 400, bad);
    }
}

BOOST_AUTO_TEST_CASE(the_authorizer_role_is_only_ever_the_authorizer) {
    BOOST_TEST((authorizer_kind(FcgiRole::authorizer, with_authorize(nullptr)) ==
                AuthorizerKind::fastcgi_authorizer));
    BOOST_TEST(status_of(FcgiRole::authorizer, with_authorize("check")) == 400);
    BOOST_TEST(status_of(FcgiRole::authorizer, with_authorize("page")) == 400);
}

BOOST_AUTO_TEST_CASE(the_filter_role_is_refused) {
    BOOST_TEST(status_of(FcgiRole::filter, with_authorize(nullptr)) == 400);
    BOOST_TEST(status_of(FcgiRole::filter, with_authorize("check")) == 400);
}

BOOST_AUTO_TEST_CASE(an_authorizer_never_reads_the_body) {
    RequestParams p = with_authorize("check");
    p.values[RequestParams::content_length] = "100";
    p.values[RequestParams::content_type] = "application/x-www-form-urlencoded";
    const RequestParams stripped = without_body(p);
    BOOST_TEST(stripped.get(RequestParams::content_length) == nullptr);
    BOOST_TEST(stripped.get(RequestParams::content_type) == nullptr);
    BOOST_TEST(std::string(stripped.get(RequestParams::request_method)) == "GET");
}

BOOST_AUTO_TEST_SUITE_END()
