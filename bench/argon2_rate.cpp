// mfo-bench-argon2: the raw argon2id rate for scripts/bench.
//
// THREADS threads each compute argon2id hashes (libargon2, 16-byte salt,
// 32-byte output: what PasswordHasher::verify computes at login, allocation
// of the memory included) for SECONDS seconds; prints one JSON object.
//
//   mfo-bench-argon2 [--memory-kib M] [--iterations T] [--parallelism P]
//                    [--threads N] [--seconds S] [--mmap-threshold BYTES]
//
// --mmap-threshold fixes glibc's M_MMAP_THRESHOLD (which disables its
// dynamic growth), so that every hash's memory is mmap'ed and returned to the
// kernel when freed: what keeping a worker's RSS flat after logins costs.

#include <argon2.h>
#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace {

[[noreturn]] void usage_error(const std::string& message) {
    std::fprintf(stderr, "mfo-bench-argon2: %s\n", message.c_str());
    std::fprintf(stderr,
                 "usage: mfo-bench-argon2 [--memory-kib M] [--iterations T] [--parallelism P] "
                 "[--threads N] [--seconds S] [--mmap-threshold BYTES]\n");
    std::exit(2);
}

long number(const char* text, long lo, long hi, const std::string& what) {
    char* end = nullptr;
    const long v = std::strtol(text, &end, 10);
    if (end == text || *end != '\0' || v < lo || v > hi) usage_error("bad " + what + ": " + text);
    return v;
}

}  // namespace

int main(int argc, char** argv) {
    std::uint32_t memory_kib = 19456, iterations = 2, parallelism = 1;
    int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    double seconds = 5;
    long mmap_threshold = -1;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (i + 1 >= argc) usage_error(arg == "-h" || arg == "--help" ? "help" : arg + " needs a value");
        const char* v = argv[++i];
        if (arg == "--memory-kib") memory_kib = static_cast<std::uint32_t>(number(v, 8, 4 << 20, arg));
        else if (arg == "--iterations") iterations = static_cast<std::uint32_t>(number(v, 1, 100, arg));
        else if (arg == "--parallelism") parallelism = static_cast<std::uint32_t>(number(v, 1, 64, arg));
        else if (arg == "--threads") threads = static_cast<int>(number(v, 1, 256, arg));
        else if (arg == "--seconds") seconds = static_cast<double>(number(v, 1, 3600, arg));
        else if (arg == "--mmap-threshold") mmap_threshold = number(v, 0, 32L << 20, arg);
        else usage_error("unknown argument: " + arg);
    }

    if (mmap_threshold >= 0 && mallopt(M_MMAP_THRESHOLD, static_cast<int>(mmap_threshold)) != 1) {
        std::fprintf(stderr, "mfo-bench-argon2: mallopt(M_MMAP_THRESHOLD) failed\n");
        return 1;
    }
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    const auto deadline = start + std::chrono::duration<double>(seconds);
    std::atomic<long> hashes{0};
    std::atomic<bool> failed{false};
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            const std::string password = "correct horse battery staple " + std::to_string(t);
            unsigned char salt[16] = {0};
            unsigned char out[32];
            long n = 0;
            while (Clock::now() < deadline) {
                salt[0] = static_cast<unsigned char>(n);
                salt[1] = static_cast<unsigned char>(t);
                if (argon2id_hash_raw(iterations, memory_kib, parallelism, password.data(),
                                      password.size(), salt, sizeof salt, out,
                                      sizeof out) != ARGON2_OK) {
                    failed = true;
                    return;
                }
                ++n;
            }
            hashes += n;
        });
    }
    for (auto& t : pool) t.join();
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    if (failed) {
        std::fprintf(stderr, "mfo-bench-argon2: argon2id_hash_raw failed\n");
        return 1;
    }
    const long total = hashes.load();
    std::printf(
        "{\"memory_kib\": %u, \"iterations\": %u, \"parallelism\": %u, \"threads\": %d, "
        "\"mmap_threshold\": %ld, \"hashes\": %ld, \"seconds\": %.3f, \"per_second\": %.2f, "
        "\"ms_per_hash_per_thread\": %.2f}\n",
        memory_kib, iterations, parallelism, threads, mmap_threshold, total, elapsed,
        total / elapsed, total > 0 ? 1000.0 * elapsed * threads / total : 0.0);
    return 0;
}
