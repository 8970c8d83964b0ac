#include "render/renderer.hpp"

#include <ctemplate/template.h>
#include <ctemplate/template_cache.h>
#include <ctemplate/template_dictionary.h>

#include <filesystem>

#include "config.hpp"
#include "request_timing.hpp"

namespace mfo {

namespace {

constexpr ctemplate::Strip kStrip = ctemplate::STRIP_BLANK_LINES;

void fill(ctemplate::TemplateDictionary& dict, const TemplateValues& values) {
    for (const auto& [name, value] : values.values()) dict.SetValue(name, value);
    for (const auto& [name, sections] : values.sections()) {
        for (const auto& section : sections) fill(*dict.AddSectionDictionary(name), section);
    }
}

}  // namespace

struct Renderer::Impl {
    ctemplate::TemplateCache cache;
};

const std::vector<std::string>& Renderer::template_names() {
    static const std::vector<std::string> names = {
        "layout.tpl",      "home/index.tpl",  "admin/index.tpl", "admin/users.tpl",
        "admin/user.tpl",  "admin/roles.tpl", "auth/login.tpl",  "auth/register.tpl",
        "auth/logout.tpl", "errors/400.tpl",  "errors/403.tpl",  "errors/404.tpl",
        "errors/405.tpl",  "errors/409.tpl",  "errors/413.tpl",  "errors/415.tpl",
        "errors/429.tpl",  "errors/4xx.tpl",  "errors/500.tpl",  "errors/503.tpl",
    };
    return names;
}

Renderer::Renderer(const std::string& templates_dir) : impl_(std::make_unique<Impl>()) {
    std::string root = templates_dir;
    if (!root.empty() && root.back() != '/') root += '/';
    impl_->cache.SetTemplateRootDirectory(root);
    for (const auto& name : template_names()) {
        if (!std::filesystem::exists(root + name)) {
            throw ConfigError(root + name + ": template missing");
        }
        if (!impl_->cache.LoadTemplate(name, kStrip)) {
            throw ConfigError(root + name + ": template does not parse (see the log above)");
        }
    }
    impl_->cache.Freeze();
}

Renderer::~Renderer() = default;

std::string Renderer::render(const std::string& name, const TemplateValues& values) const {
    const PhaseTimer timer(request_timings().render_us);
    ctemplate::TemplateDictionary dict("page");
    fill(dict, values);
    std::string out;
    if (!impl_->cache.ExpandWithData(name, kStrip, &dict, nullptr, &out)) {
        throw std::runtime_error("cannot expand template " + name);
    }
    return out;
}

std::string Renderer::render_page(const PageFrame& frame, const TemplateValues& content) const {
    const PhaseTimer timer(request_timings().render_us);
    ctemplate::TemplateDictionary dict("page");
    dict.SetValue("TITLE", frame.title);
    for (const auto& href : frame.stylesheets) {
        dict.AddSectionDictionary("STYLESHEET")->SetValue("HREF", href);
    }
    if (frame.logged_in) {
        auto* nav = dict.AddSectionDictionary("LOGGED_IN");
        nav->SetValue("USER_EMAIL", frame.user_email);
        nav->SetValue("CSRF_TOKEN", frame.csrf_token);
    } else {
        dict.AddSectionDictionary("ANONYMOUS")->SetValue("NEXT_QUERY", frame.next_query);
    }
    if (!frame.flashes.empty()) {
        auto* box = dict.AddSectionDictionary("FLASHES");
        for (const auto& flash : frame.flashes) {
            auto* item = box->AddSectionDictionary("FLASH");
            item->SetValue("CATEGORY", flash.category);
            item->SetValue("MESSAGE", flash.message);
        }
    }
    // Include dictionaries do not see the parent's values: the content gets its own.
    auto* include = dict.AddIncludeDictionary("CONTENT");
    include->SetFilename(frame.content_template);
    fill(*include, content);

    std::string out;
    if (!impl_->cache.ExpandWithData("layout.tpl", kStrip, &dict, nullptr, &out)) {
        throw std::runtime_error("cannot expand " + frame.content_template);
    }
    return out;
}

}  // namespace mfo
