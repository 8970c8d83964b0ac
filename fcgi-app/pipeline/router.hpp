#pragma once
// Method + normalised path -> handler.

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "context/request_context.hpp"
#include "http/response.hpp"

namespace mfo {

using Handler = std::function<Response(RequestContext&)>;

struct RouteMatch {
    const Handler* handler = nullptr;           // null: 404 or 405
    bool path_known = false;                    // true with a null handler: 405
    std::string allow;                          // "GET, HEAD, POST" for the Allow header
    std::map<std::string, std::string> params;  // {name} segments of the pattern
};

class Router {
  public:
    // `path` is literal ("/admin") or a pattern whose `{name}` segments match
    // one path segment each ("/admin/users/{id}"). Literal paths win.
    void add(const std::string& path, const std::vector<std::string>& methods, Handler handler);
    // HEAD is served by the GET handler (the body is dropped when sending).
    RouteMatch find(std::string_view method, std::string_view path) const;

  private:
    struct Route {
        std::map<std::string, Handler, std::less<>> by_method;
    };
    struct PatternRoute {
        std::vector<std::string> segments;
        Route route;
    };
    static void match_methods(const Route& route, std::string_view method, RouteMatch& match);

    std::map<std::string, Route, std::less<>> routes_;
    std::vector<PatternRoute> patterns_;
};

// The application's routes (routes.cpp). `test_routes` adds /__test/* when
// this binary was built with them (mfo-fcgi-test).
Router build_router(bool test_routes);
bool test_routes_compiled();

}  // namespace mfo
