#pragma once
// Page rendering with ctemplate: templates loaded once per worker (reloaded by
// a SIGHUP, which starts fresh workers), auto-escaping on.

#include <memory>
#include <string>
#include <vector>

#include "render/flash.hpp"
#include "render/template_values.hpp"

namespace mfo {

// What the layout needs besides the page's own content.
struct PageFrame {
    std::string title;
    std::string content_template;          // e.g. "home/index.tpl"
    std::vector<std::string> stylesheets;  // per-area CSS
    bool logged_in = false;
    std::string user_email;
    std::string csrf_token;  // for the nav's logout form
    std::string next_query;  // "?next=..." on the anonymous nav links
    std::vector<Flash> flashes;
};

class Renderer {
  public:
    // Loads and parses every template under `templates_dir`; throws
    // ConfigError naming the file that fails.
    explicit Renderer(const std::string& templates_dir);
    ~Renderer();
    Renderer(const Renderer&) = delete;
    Renderer& operator=(const Renderer&) = delete;

    std::string render_page(const PageFrame& frame, const TemplateValues& content) const;
    // One template on its own (tests).
    std::string render(const std::string& name, const TemplateValues& values) const;

    static const std::vector<std::string>& template_names();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace mfo
