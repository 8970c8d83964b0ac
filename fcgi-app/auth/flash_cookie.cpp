#include "auth/flash_cookie.hpp"

#include <nlohmann/json.hpp>

namespace mfo {

namespace {
constexpr const char* kFlashCookie = "mfo_flash";
constexpr const char* kPurpose = "flash";
}  // namespace

std::vector<Flash> read_flashes(const RequestContext& ctx) {
    std::vector<Flash> out;
    auto cookie = ctx.req.cookie(ctx.cookie_name(kFlashCookie));
    if (!cookie) return out;
    auto payload = ctx.app.signer.verify(kPurpose, *cookie);
    if (!payload) return out;
    const auto json = nlohmann::json::parse(*payload, nullptr, false);
    if (!json.is_array()) return out;
    for (const auto& item : json) {
        if (item.is_array() && item.size() == 2 && item[0].is_string() && item[1].is_string()) {
            out.push_back(Flash{item[0].get<std::string>(), item[1].get<std::string>()});
        }
    }
    return out;
}

void queue_flash(const RequestContext& ctx, Response& response, const Flash& flash) {
    nlohmann::json list = nlohmann::json::array();
    list.push_back({flash.category, flash.message});
    SetCookie cookie;
    cookie.name = ctx.cookie_name(kFlashCookie);
    cookie.value = ctx.app.signer.sign(kPurpose, list.dump());
    cookie.secure = ctx.cookie_secure();
    response.set_cookie(std::move(cookie));
}

}  // namespace mfo
