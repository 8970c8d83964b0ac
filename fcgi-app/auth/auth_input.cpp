#include "auth/auth_input.hpp"

#include <nlohmann/json.hpp>

#include "http/http_error.hpp"

namespace mfo {

namespace {

std::string json_string(const nlohmann::json& body, const char* name) {
    auto it = body.find(name);
    if (it == body.end() || it->is_null()) return "";
    if (!it->is_string()) {
        std::string message = "Field \"";
        message.append(name).append("\" must be a string.");
        throw HttpError(400, message);
    }
    return it->get<std::string>();
}

bool truthy(const std::string& v) {
    return v == "y" || v == "on" || v == "true" || v == "1";
}

}  // namespace

AuthInput read_auth_input(const Request& req) {
    AuthInput in;
    if (req.is_json_body()) {
        const auto body = nlohmann::json::parse(req.body, nullptr, false);
        if (body.is_discarded() || !body.is_object()) throw HttpError(400, "Malformed JSON body.");
        in.email = json_string(body, "email");
        in.password = json_string(body, "password");
        if (body.contains("password_confirm")) {
            in.has_password_confirm = true;
            in.password_confirm = json_string(body, "password_confirm");
        }
        if (auto it = body.find("remember"); it != body.end()) {
            in.remember = it->is_boolean() ? it->get<bool>()
                                           : (it->is_string() && truthy(it->get<std::string>()));
        }
        in.next = json_string(body, "next");
        in.csrf_token = json_string(body, "csrf_token");
    } else if (req.body.empty() || req.content_type == "application/x-www-form-urlencoded") {
        const FormData& f = req.form;
        in.email = f.get_or("email");
        in.password = f.get_or("password");
        if (auto c = f.get("password_confirm")) {
            in.has_password_confirm = true;
            in.password_confirm = *c;
        }
        in.remember = truthy(f.get_or("remember"));
        in.next = f.get_or("next");
        in.csrf_token = f.get_or("csrf_token");
    } else {
        throw HttpError(415, "Send the form as application/x-www-form-urlencoded or JSON.");
    }
    if (in.next.empty()) in.next = req.query.get_or("next");
    if (in.csrf_token.empty()) in.csrf_token = req.header("x-csrf-token");
    return in;
}

}  // namespace mfo
