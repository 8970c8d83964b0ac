#pragma once
// The route handlers. Each runs after the access check has passed.

#include "context/request_context.hpp"
#include "http/response.hpp"

namespace mfo {

Response home_page(RequestContext& ctx);
Response admin_page(RequestContext& ctx);
Response admin_users_page(RequestContext& ctx);
Response admin_user_page(RequestContext& ctx);
Response admin_user_activate(RequestContext& ctx);
Response admin_user_deactivate(RequestContext& ctx);
Response admin_user_end_sessions(RequestContext& ctx);
Response admin_roles_page(RequestContext& ctx);
Response admin_role_create(RequestContext& ctx);
Response admin_role_update(RequestContext& ctx);
Response admin_role_grant(RequestContext& ctx);
Response admin_role_revoke(RequestContext& ctx);
Response login_page(RequestContext& ctx);
Response login_submit(RequestContext& ctx);
Response register_page(RequestContext& ctx);
Response register_submit(RequestContext& ctx);
Response logout_page(RequestContext& ctx);
Response logout_submit(RequestContext& ctx);
Response api_me(RequestContext& ctx);
Response healthz(RequestContext& ctx);
Response readyz(RequestContext& ctx);
Response status_page(RequestContext& ctx);

#ifdef MFO_TEST_ROUTES
Response test_throw(RequestContext& ctx);
Response test_slow(RequestContext& ctx);
Response test_status(RequestContext& ctx);
#endif

}  // namespace mfo
