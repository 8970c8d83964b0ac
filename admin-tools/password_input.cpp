#include "password_input.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <csignal>

#include "cli_tool.hpp"

namespace mfo::cli {

namespace {

// Echo must come back even when the user gives up with Ctrl-C at the prompt;
// the handler may only use async-signal-safe calls.
int g_tty_fd = -1;
termios g_saved_tty{};

extern "C" void restore_tty_and_reraise(int signal_number) {
    if (g_tty_fd >= 0) ::tcsetattr(g_tty_fd, TCSAFLUSH, &g_saved_tty);
    std::signal(signal_number, SIG_DFL);
    std::raise(signal_number);
}

class Terminal {
  public:
    Terminal() : fd_(::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) {
        if (fd_ < 0)
            throw ToolFailure("no password given and no terminal to ask (use --password-stdin)");
    }
    ~Terminal() { ::close(fd_); }
    Terminal(const Terminal&) = delete;
    Terminal& operator=(const Terminal&) = delete;

    void write_text(const std::string& text) const {
        std::size_t done = 0;
        while (done < text.size()) {
            const ssize_t n = ::write(fd_, text.data() + done, text.size() - done);
            if (n <= 0) return;
            done += static_cast<std::size_t>(n);
        }
    }

    std::string read_hidden(const std::string& prompt) const {
        write_text(prompt);
        std::string line;
        {
            EchoOff quiet(fd_);
            char c = 0;
            while (true) {
                const ssize_t n = ::read(fd_, &c, 1);
                if (n <= 0 || c == '\n') break;
                line.push_back(c);
            }
        }
        write_text("\n");  // the user's Enter was not echoed
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return line;
    }

  private:
    class EchoOff {
      public:
        explicit EchoOff(int fd) : fd_(fd) {
            if (::tcgetattr(fd_, &g_saved_tty) != 0) {
                fd_ = -1;
                return;
            }
            g_tty_fd = fd_;
            struct sigaction action {};
            action.sa_handler = restore_tty_and_reraise;
            sigemptyset(&action.sa_mask);
            for (std::size_t i = 0; i < kSignals.size(); ++i) {
                ::sigaction(kSignals[i], &action, &previous_[i]);
            }
            termios quiet = g_saved_tty;
            quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
            ::tcsetattr(fd_, TCSAFLUSH, &quiet);
        }
        ~EchoOff() {
            if (fd_ < 0) return;
            ::tcsetattr(fd_, TCSAFLUSH, &g_saved_tty);
            for (std::size_t i = 0; i < kSignals.size(); ++i) {
                ::sigaction(kSignals[i], &previous_[i], nullptr);
            }
            g_tty_fd = -1;
        }
        EchoOff(const EchoOff&) = delete;
        EchoOff& operator=(const EchoOff&) = delete;

      private:
        static constexpr std::array<int, 4> kSignals{SIGINT, SIGTERM, SIGHUP, SIGQUIT};
        int fd_;
        std::array<struct sigaction, 4> previous_{};
    };

    int fd_;
};

}  // namespace

std::vector<OptionSpec> password_options() {
    return {
        {"--password", "", "P",
         "the password (visible to other local users in the process list: prefer "
         "--password-stdin)"},
        {"--password-stdin", "", "", "read the password from the first line of standard input"},
    };
}

std::string read_password_line(std::istream& in) {
    std::string line;
    if (!std::getline(in, line)) throw ToolFailure("no password on standard input");
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

std::string prompt_new_password() {
    const Terminal terminal;
    const std::string first = terminal.read_hidden("Password: ");
    const std::string second = terminal.read_hidden("Repeat for confirmation: ");
    if (first != second) throw ToolFailure("the two passwords do not match");
    return first;
}

std::string password_from_options(const ParsedArgs& args, std::istream& stdin_stream) {
    const auto given = args.value("--password");
    const bool from_stdin = args.has("--password-stdin");
    if (given && from_stdin) throw UsageError("give --password or --password-stdin, not both");
    if (given) return *given;
    if (from_stdin) return read_password_line(stdin_stream);
    return prompt_new_password();
}

}  // namespace mfo::cli
