#pragma once
// Phases of the request pipeline that the authorizer (pipeline/authorizer)
// shares with mfo's own pages, so both decide and deny alike.

#include "access_rules.hpp"
#include "context/request_context.hpp"
#include "http/response.hpp"

namespace mfo {

// Resolves the session cookie into ctx.principal / ctx.session (one SELECT).
// `touch`: also write last_seen_at when due (at most once a minute); the
// authorizer passes false and writes nothing.
void resolve_session(RequestContext& ctx, bool touch);

// What a denied request gets: the login redirect with `next` (401 JSON for
// API clients), or the forbidden page naming the rule's roles (403).
Response deny_access(RequestContext& ctx, AccessDecision decision);

}  // namespace mfo
