#include "pipeline/request_pipeline.hpp"

#include <cppconn/exception.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "auth/flash_cookie.hpp"
#include "crypto.hpp"
#include "http/form_parser.hpp"
#include "http/http_error.hpp"
#include "http/request_log.hpp"
#include "pipeline/authorizer.hpp"
#include "pipeline/request_phases.hpp"
#include "ops_counters.hpp"
#include "request_timing.hpp"
#include "views/page_response.hpp"

namespace mfo {

void resolve_session(RequestContext& ctx, bool touch) {
    const auto token = ctx.req.cookie(ctx.cookie_name(ctx.app.config.session_cookie));
    if (!token) return;
    std::string raw;
    // Only our own 256-bit tokens are looked up; anything else is dropped.
    if (token->size() != 43 || !crypto::base64url_decode(*token, raw) || raw.size() != 32) {
        ctx.clear_session_cookie = true;
        return;
    }
    SessionCache* cache = ctx.session_cache;
    const std::string id = session_id_of(*token);
    const auto now = SessionCache::Clock::now();
    std::optional<ResolvedSession> session;
    if (cache) session = cache->find(id, now);
    if (!session) {
        // Read before the database: an eviction while we ask makes the
        // answer unfit for the cache.
        const std::uint64_t generation = cache ? cache->generation() : 0;
        session = ctx.app.sessions.resolve(ctx.db, id);
        if (!session) {
            ctx.clear_session_cookie = true;
            return;
        }
        if (cache) cache->insert(*session, generation, now);
    }
    if (touch) {
        try {
            const auto touched = ctx.app.sessions.touch_if_due(ctx.db, *session);
            if (cache && touched == SessionStore::Touch::written) {
                cache->touched(id, SessionCache::Clock::now());
            } else if (cache && touched == SessionStore::Touch::missed) {
                // Gone, or another worker wrote it: ask the database next time.
                cache->evict_session(id);
            }
        } catch (const DbUnavailable&) {
            // The read succeeded; a missed last_seen update is retried next minute.
        }
    }
    ctx.principal = session->principal;
    ctx.session = std::move(session);
}

namespace {

// What a 503 for an unreachable database tells clients to wait: about the
// circuit breaker's re-probe interval.
constexpr int kDbRetryAfterSeconds = 2;

// A state-changing request from another site is refused before any handler
// runs (in addition to the CSRF token).
void check_same_origin(const RequestContext& ctx) {
    const std::string& m = ctx.req.method;
    if (m == "GET" || m == "HEAD" || m == "OPTIONS") return;
    if (ctx.req.header("sec-fetch-site") == "cross-site") {
        throw HttpError(403, "Cross-site requests are not accepted.");
    }
    const std::string origin = ctx.req.header("origin");
    if (origin.empty()) return;
    std::string lowered = origin;
    std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lowered != ctx.req.own_origin()) {
        throw HttpError(403, "Cross-origin requests are not accepted.");
    }
}

bool is_api_client(const RequestContext& ctx) {
    return ctx.req.wants_json() || ctx.req.path.rfind("/api/", 0) == 0;
}

}  // namespace

Response deny_access(RequestContext& ctx, AccessDecision decision) {
    if (decision == AccessDecision::login_required) {
        if (is_api_client(ctx)) {
            return json_error(401,
                              "You are not authenticated. Please supply the correct credentials.");
        }
        Response r = Response::redirect("/login?next=" + percent_encode(ctx.req.path_with_query()));
        queue_flash(ctx, r, Flash{"info", "Please log in to access this page."});
        return r;
    }
    if (is_api_client(ctx)) {
        return json_error(403, "You do not have permission to view this resource.");
    }
    return error_response(ctx, 403, forbidden_message(ctx.rule));
}

namespace {

// The routes that cost a password hash are reached by one spelling only, the
// one the front server's rate limit is written for: "/login/", "//login" or
// "/login%2F" get a 308 to "/login" before any work (no session lookup, no
// hashing), with the query kept.
std::optional<Response> canonical_redirect(const RequestContext& ctx) {
    const std::string& path = ctx.req.path;
    if (path != "/login" && path != "/register") return std::nullopt;
    if (ctx.req.raw_path == path) return std::nullopt;
    const std::string& query = ctx.req.query_string;
    const bool printable = std::none_of(query.begin(), query.end(),
                                        [](unsigned char c) { return c < 0x20 || c >= 0x7f; });
    return Response::redirect(printable ? ctx.req.path_with_query() : path, 308);
}

Response dispatch(RequestContext& ctx, const Router& router) {
    if (auto redirect = canonical_redirect(ctx)) return std::move(*redirect);
    RequestTimings& timings = request_timings();
    // Health checks answer for the pool and its database, not for a visitor:
    // a load balancer's probe may carry a cookie, and a session lookup must
    // not turn /healthz into a database check.
    if (ctx.req.path != "/healthz" && ctx.req.path != "/readyz") {
        const PhaseTimer timer(timings.session_us);
        resolve_session(ctx, true);
    }
    ctx.flashes = read_flashes(ctx);
    ctx.flash_cookie_seen = ctx.req.cookie(ctx.cookie_name("mfo_flash")).has_value();

    const RouteMatch match = router.find(ctx.req.method, ctx.req.path);
    if (!match.path_known) throw HttpError(404, "Page not found.");
    if (!match.handler) {
        Response r = error_response(ctx, 405, "Method not allowed.", match.allow);
        r.add_header("Allow", match.allow);
        return r;
    }
    ctx.params = match.params;
    check_same_origin(ctx);
    if (ctx.req.method == "POST" && ctx.req.path == "/login") {
        ops_count(OpsCounter::login_attempts);
    }
    ctx.rule = ctx.app.rules.find(ctx.req.path, ctx.req.method);
    const AccessDecision decision = check_access(ctx.rule, ctx.principal, ctx.req.remote_addr);
    if (decision != AccessDecision::allow) return deny_access(ctx, decision);
    const PhaseTimer timer(timings.handler_us);
    return (*match.handler)(ctx);
}

// Last resort when even the error page cannot be rendered.
Response plain_error(int status) {
    Response r;
    r.status = status;
    r.content_type = "text/plain; charset=utf-8";
    r.body = std::to_string(status) + " " + status_text(status) + "\n";
    return r;
}

}  // namespace

PipelineResult RequestPipeline::run(const RequestParams& params, const BodyReader& body,
                                    const std::string& request_id, FcgiRole role) {
    Request req;
    std::optional<HttpError> parse_error;
    std::optional<AuthorizerKind> authorizer;
    try {
        authorizer = authorizer_kind(role, params);
        req = authorizer ? parse_request(without_body(params), body, 0)
                         : parse_request(params, body, app_.config.max_body_bytes);
    } catch (const HttpError& e) {
        parse_error = e;
        // Enough of the request for the log line and the error page.
        const char* method = params.get(RequestParams::request_method);
        req.method = method ? method : "";
        const char* uri = params.get(RequestParams::request_uri);
        req.raw_path = uri ? std::string(uri).substr(0, std::string(uri).find('?')) : "";
    }
    RequestContext ctx{app_, db_, req, request_id, {}, {}, nullptr, {}, {}, false, false};
    ctx.session_cache = session_cache_;

    Response response;
    auto render_error = [&](int status, const std::string& message) {
        try {
            response = error_response(ctx, status, message);
        } catch (const std::exception& e) {
            log_error(request_id, std::string("rendering the error page failed: ") + e.what());
            response = plain_error(status);
        }
    };
    try {
        if (parse_error) throw *parse_error;
        response = authorizer ? authorize(ctx, *authorizer) : dispatch(ctx, router_);
    } catch (const HttpError& e) {
        if (authorizer == AuthorizerKind::nginx_check) {
            // nginx takes any status but 2xx/401/403 as its own 500: a request
            // the checks cannot read is simply denied.
            response = Response{};
            response.status = 403;
            response.content_type = "text/plain; charset=utf-8";
        } else {
            render_error(e.status(), e.what());
        }
    } catch (const DbUnavailable&) {
        // Not logged per request: the worker's circuit breaker logs an
        // outage once (its first failure, the circuit opening, recovery).
        const std::string message =
            "The service is temporarily unavailable. Please try again shortly.";
        if (!authorizer && is_api_client(ctx)) {
            response = json_error(503, message);
        } else {
            render_error(503, message);
        }
        response.add_header("Retry-After", std::to_string(kDbRetryAfterSeconds));
    } catch (const sql::SQLException& e) {
        log_error(request_id, std::string("database error ") + std::to_string(e.getErrorCode()) +
                                  ": " + e.what());
        render_error(500, "An unexpected error occurred.");
    } catch (const std::exception& e) {
        log_error(request_id, e.what());
        render_error(500, "An unexpected error occurred.");
    }

    if (ctx.clear_session_cookie) {
        const std::string name = ctx.cookie_name(app_.config.session_cookie);
        bool already = false;
        for (const auto& c : response.cookies) already = already || c.name == name;
        if (!already) response.set_cookie(SetCookie::expire(name, ctx.cookie_secure()));
    }

    PipelineResult result;
    result.output = response.serialize(req.method == "HEAD");
    result.status = response.status;
    result.method = req.method;
    result.path = req.path.empty() ? req.raw_path : req.path;
    result.user_id = ctx.principal.user_id;
    return result;
}

}  // namespace mfo
