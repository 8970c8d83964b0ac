#pragma once
// Values for one template: variables and (repeatable) sections, a tree that
// the renderer turns into a ctemplate dictionary. Keeps ctemplate out of views.

#include <map>
#include <string>
#include <vector>

namespace mfo {

class TemplateValues {
public:
    void set(const std::string& name, std::string value) { values_[name] = std::move(value); }
    // Shows a section once more and returns its values.
    TemplateValues& add_section(const std::string& name) {
        return sections_[name].emplace_back();
    }
    void show_section(const std::string& name) { add_section(name); }

    const std::map<std::string, std::string>& values() const { return values_; }
    const std::map<std::string, std::vector<TemplateValues>>& sections() const {
        return sections_;
    }

private:
    std::map<std::string, std::string> values_;
    std::map<std::string, std::vector<TemplateValues>> sections_;
};

}  // namespace mfo
