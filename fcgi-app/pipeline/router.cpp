#include "pipeline/router.hpp"

namespace mfo {

namespace {

std::vector<std::string> split_segments(std::string_view path) {
    std::vector<std::string> out;
    std::size_t start = 1;
    while (start <= path.size()) {
        std::size_t end = path.find('/', start);
        if (end == std::string_view::npos) end = path.size();
        out.emplace_back(path.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

bool is_param(const std::string& segment) {
    return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

void Router::add(const std::string& path, const std::vector<std::string>& methods,
                 Handler handler) {
    Route* route = nullptr;
    if (path.find('{') == std::string::npos) {
        route = &routes_[path];
    } else {
        const auto segments = split_segments(path);
        for (auto& p : patterns_) {
            if (p.segments == segments) route = &p.route;
        }
        if (!route) route = &patterns_.emplace_back(PatternRoute{segments, {}}).route;
    }
    for (const auto& m : methods) route->by_method[m] = handler;
}

void Router::match_methods(const Route& route, std::string_view method, RouteMatch& match) {
    match.path_known = true;
    const auto& by_method = route.by_method;
    const std::string_view lookup = method == "HEAD" ? std::string_view("GET") : method;
    if (auto h = by_method.find(lookup); h != by_method.end()) {
        match.handler = &h->second;
        return;
    }
    for (const auto& [m, h] : by_method) {
        if (!match.allow.empty()) match.allow += ", ";
        match.allow += m;
        if (m == "GET") match.allow += ", HEAD";
    }
}

RouteMatch Router::find(std::string_view method, std::string_view path) const {
    RouteMatch match;
    if (auto it = routes_.find(path); it != routes_.end()) {
        match_methods(it->second, method, match);
        return match;
    }
    if (patterns_.empty() || path.size() < 2) return match;
    const auto segments = split_segments(path);
    for (const auto& pattern : patterns_) {
        if (pattern.segments.size() != segments.size()) continue;
        std::map<std::string, std::string> params;
        bool ok = true;
        for (std::size_t i = 0; ok && i < segments.size(); ++i) {
            const std::string& want = pattern.segments[i];
            if (is_param(want)) {
                params[want.substr(1, want.size() - 2)] = segments[i];
            } else {
                ok = want == segments[i];
            }
        }
        if (!ok) continue;
        match.params = std::move(params);
        match_methods(pattern.route, method, match);
        return match;
    }
    return match;
}

}  // namespace mfo
