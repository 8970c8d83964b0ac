#include "views/sign_in_gate.hpp"

#include "views/page_response.hpp"

namespace mfo {

namespace {

constexpr int kRetryAfterSeconds = 2;

}  // namespace

InFlightLimit::Ticket enter_sign_in(RequestContext& ctx) {
    return ctx.app.sign_ins->try_enter();
}

Response sign_ins_busy(RequestContext& ctx) {
    Response r =
        error_response(ctx, 503, "Too many sign-ins right now. Please try again in a moment.");
    r.add_header("Retry-After", std::to_string(kRetryAfterSeconds));
    return r;
}

}  // namespace mfo
