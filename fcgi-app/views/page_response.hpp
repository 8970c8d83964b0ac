#pragma once
// Building responses: HTML pages in the layout, JSON in Flask-Security-Too's
// shape, and status pages.

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "context/request_context.hpp"
#include "http/response.hpp"
#include "render/template_values.hpp"

namespace mfo {

struct PageSpec {
    std::string title;
    std::string content_template;
    std::vector<std::string> stylesheets = {};
    int status = 200;
};

// Renders a page in the layout: the nav follows the login state, pending
// flash messages are shown (and their cookie cleared). `response` may already
// carry cookies/headers.
Response render_page(RequestContext& ctx, const PageSpec& spec, const TemplateValues& content,
                     Response response = {});

// {"meta": {"code": status}, "response": body}
Response json_reply(int status, const nlohmann::json& body);
// {"meta": ..., "response": {"errors": [message]}}
Response json_error(int status, const std::string& message);

// The status page for `status` (400, 403, 404, 405, 413, 429, 500, 503), or
// JSON for JSON clients.
Response error_response(RequestContext& ctx, int status, const std::string& message,
                        const std::string& allow = "");

}  // namespace mfo
