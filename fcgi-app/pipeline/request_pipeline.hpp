#pragma once
// One request through the phases: parse -> resolve session -> route -> check
// access -> handle -> render. The single place where a request's exceptions
// are caught and mapped to a status page.

#include <cstdint>
#include <string>

#include "context/app_context.hpp"
#include "database.hpp"
#include "http/request.hpp"
#include "pipeline/router.hpp"

namespace mfo {

struct PipelineResult {
    std::string output;  // headers and body, ready for the FastCGI stream
    int status = 0;
    std::string method;
    std::string path;
    std::uint64_t user_id = 0;
};

class RequestPipeline {
  public:
    RequestPipeline(const AppContext& app, Database& db, const Router& router)
        : app_(app), db_(db), router_(router) {}

    PipelineResult run(const RequestParams& params, const BodyReader& body,
                       const std::string& request_id);

  private:
    const AppContext& app_;
    Database& db_;
    const Router& router_;
};

}  // namespace mfo
