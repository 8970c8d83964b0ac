#include "router.hpp"

namespace mfo {

void Router::add(const std::string& path, const std::vector<std::string>& methods,
                 Handler handler) {
    auto& route = routes_[path];
    for (const auto& m : methods) route.by_method[m] = handler;
}

RouteMatch Router::find(std::string_view method, std::string_view path) const {
    RouteMatch match;
    auto it = routes_.find(path);
    if (it == routes_.end()) return match;
    match.path_known = true;
    const auto& by_method = it->second.by_method;
    const std::string_view lookup = method == "HEAD" ? std::string_view("GET") : method;
    if (auto h = by_method.find(lookup); h != by_method.end()) {
        match.handler = &h->second;
        return match;
    }
    for (const auto& [m, h] : by_method) {
        if (!match.allow.empty()) match.allow += ", ";
        match.allow += m;
        if (m == "GET") match.allow += ", HEAD";
    }
    return match;
}

}  // namespace mfo
