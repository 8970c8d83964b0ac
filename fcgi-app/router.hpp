#pragma once
// Method + normalised path -> handler.

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "request_context.hpp"
#include "response.hpp"

namespace mfo {

using Handler = std::function<Response(RequestContext&)>;

struct RouteMatch {
    const Handler* handler = nullptr;  // null: 404 or 405
    bool path_known = false;           // true with a null handler: 405
    std::string allow;                 // "GET, HEAD, POST" for the Allow header
};

class Router {
public:
    void add(const std::string& path, const std::vector<std::string>& methods, Handler handler);
    // HEAD is served by the GET handler (the body is dropped when sending).
    RouteMatch find(std::string_view method, std::string_view path) const;

private:
    struct Route {
        std::map<std::string, Handler, std::less<>> by_method;
    };
    std::map<std::string, Route, std::less<>> routes_;
};

// The application's routes (routes.cpp). `test_routes` adds /__test/* when
// this binary was built with them (mfo-fcgi-test).
Router build_router(bool test_routes);
bool test_routes_compiled();

}  // namespace mfo
