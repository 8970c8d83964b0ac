// Every HTML template escapes hostile values: each is rendered with <script>
// in every variable and every section shown.

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "render/renderer.hpp"

using namespace mfo;

namespace {

const std::string kTemplates = MFO_SOURCE_DIR "/templates";
const std::string kHostile = "<script>alert(1)</script>\"'&";

std::string read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// Every {{NAME}} and {{#SECTION}} used in a template file.
void names_in(const std::string& text, std::set<std::string>& vars,
              std::set<std::string>& sections) {
    static const std::regex var(R"(\{\{([A-Z_][A-Z0-9_]*)(:[^}]*)?\}\})");
    static const std::regex sec(R"(\{\{#([A-Z_][A-Z0-9_]*)\}\})");
    for (std::sregex_iterator it(text.begin(), text.end(), var), end; it != end; ++it)
        vars.insert((*it)[1]);
    for (std::sregex_iterator it(text.begin(), text.end(), sec), end; it != end; ++it)
        sections.insert((*it)[1]);
}

TemplateValues hostile_values(const std::string& text) {
    std::set<std::string> vars, sections;
    names_in(text, vars, sections);
    TemplateValues v;
    for (const auto& n : vars) v.set(n, kHostile);
    for (const auto& s : sections) {
        auto& sec = v.add_section(s);
        for (const auto& n : vars) sec.set(n, kHostile);
        for (const auto& inner : sections) {
            auto& in2 = sec.add_section(inner);
            for (const auto& n : vars) in2.set(n, kHostile);
        }
    }
    return v;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(templates)

BOOST_AUTO_TEST_CASE(every_template_declares_html_autoescape) {
    for (const auto& name : Renderer::template_names()) {
        BOOST_TEST_INFO(name);
        const std::string text = read(kTemplates + "/" + name);
        BOOST_TEST(text.rfind("{{%AUTOESCAPE context=\"HTML\"}}", 0) == 0u);
        BOOST_TEST(text.find(":none") == std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(every_page_escapes_hostile_values) {
    const Renderer renderer(kTemplates);
    for (const auto& name : Renderer::template_names()) {
        if (name == "layout.tpl") continue;
        BOOST_TEST_INFO(name);
        PageFrame frame;
        frame.title = kHostile;
        frame.content_template = name;
        frame.stylesheets = {kHostile};
        frame.logged_in = true;
        frame.user_email = kHostile;
        frame.csrf_token = kHostile;
        frame.flashes = {{kHostile, kHostile}};
        const std::string html =
            renderer.render_page(frame, hostile_values(read(kTemplates + "/" + name)));
        BOOST_TEST(html.find("<script") == std::string::npos);
        BOOST_TEST(html.find("&lt;script&gt;") != std::string::npos);
        BOOST_TEST(html.find("{{") == std::string::npos);
        frame.logged_in = false;
        frame.next_query = kHostile;
        const std::string anon =
            renderer.render_page(frame, hostile_values(read(kTemplates + "/" + name)));
        BOOST_TEST(anon.find("<script") == std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(forbidden_page_has_the_seed_words) {
    const Renderer renderer(kTemplates);
    PageFrame frame;
    frame.title = "Access forbidden";
    frame.content_template = "errors/403.tpl";
    TemplateValues v;
    v.set("MESSAGE", "Sorry, you must be a Admin to access this page");
    const std::string html = renderer.render_page(frame, v);
    BOOST_TEST(html.find("<h1>Access forbidden</h1>") != std::string::npos);
    BOOST_TEST(html.find("Sorry, you must be a Admin to access this page") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(missing_template_dir_is_a_config_error) {
    BOOST_CHECK_THROW(Renderer("/nonexistent/templates"), std::exception);
}

BOOST_AUTO_TEST_SUITE_END()
