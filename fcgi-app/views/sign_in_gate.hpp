#pragma once
// The per-process cap on sign-ins in flight (POST /login, POST /register):
// taken at the handler's entry, before any password hashing, so a login
// flood cannot hold every thread in argon2 while page views wait.

#include "context/request_context.hpp"
#include "http/response.hpp"
#include "in_flight_limit.hpp"

namespace mfo {

// A place among the sign-ins in flight, held while the ticket lives; empty
// when all are taken.
InFlightLimit::Ticket enter_sign_in(RequestContext& ctx);
// 503 with Retry-After and "too many sign-ins right now" (JSON for API clients).
Response sign_ins_busy(RequestContext& ctx);

}  // namespace mfo
