// Routes that exist only in test builds (-DMFO_TEST_ROUTES=ON) and only when
// the config enables them: they let the tests make a handler throw or hold a
// request in flight.

#ifdef MFO_TEST_ROUTES

#include <chrono>
#include <stdexcept>
#include <thread>

#include "http/http_error.hpp"
#include "views/page_response.hpp"
#include "views/views.hpp"

namespace mfo {

Response test_throw(RequestContext&) {
    throw std::runtime_error("test route: deliberate failure");
}

// Ends the request with the HttpError status ?code=N (400-599), as any
// handler may: lets a test walk every status the code can raise.
Response test_status(RequestContext& ctx) {
    int code = 0;
    try {
        code = std::stoi(ctx.req.query.get_or("code", "0"));
    } catch (const std::exception&) {
    }
    if (code < 400 || code > 599) code = 400;
    throw HttpError(code, "test route: status " + std::to_string(code));
}

Response test_slow(RequestContext& ctx) {
    long ms = 0;
    try {
        ms = std::stol(ctx.req.query.get_or("ms", "1000"));
    } catch (const std::exception&) {
        ms = 1000;
    }
    ms = std::clamp(ms, 0L, 30'000L);
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    Response r;
    r.content_type = "text/plain; charset=utf-8";
    r.body = "slept " + std::to_string(ms) + " ms\n";
    return r;
}

}  // namespace mfo

#endif
