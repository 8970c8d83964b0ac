#pragma once
// Left-aligned columns for the tools' list commands.

#include <ostream>
#include <string>
#include <vector>

namespace mfo::cli {

class TextTable {
  public:
    explicit TextTable(std::vector<std::string> headers);
    void add_row(std::vector<std::string> cells);
    bool empty() const { return rows_.empty(); }
    void print(std::ostream& out) const;

  private:
    std::vector<std::string> headers_;
    std::vector<std::vector<std::string>> rows_;
};

}  // namespace mfo::cli
