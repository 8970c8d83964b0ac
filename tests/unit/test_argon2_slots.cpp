// The bound on concurrent argon2 computations and the slots' reused memory.

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "argon2_slots.hpp"

using mfo::Argon2Slots;

namespace {

constexpr std::uint32_t kMemoryKib = 64;

// A real argon2id computation of `m_kib` KiB, as PasswordHasher sets it up.
struct Computation {
    std::string password = "pw";
    std::string salt = "0123456789abcdef";
    std::string out = std::string(32, '\0');
    argon2_context ctx{};

    explicit Computation(std::uint32_t m_kib = kMemoryKib) {
        ctx.out = reinterpret_cast<std::uint8_t*>(out.data());
        ctx.outlen = static_cast<std::uint32_t>(out.size());
        ctx.pwd = reinterpret_cast<std::uint8_t*>(password.data());
        ctx.pwdlen = static_cast<std::uint32_t>(password.size());
        ctx.salt = reinterpret_cast<std::uint8_t*>(salt.data());
        ctx.saltlen = static_cast<std::uint32_t>(salt.size());
        ctx.t_cost = 1;
        ctx.m_cost = m_kib;
        ctx.lanes = 1;
        ctx.threads = 1;
        ctx.version = ARGON2_VERSION_13;
    }
};

// The memory the slot hands to libargon2 for `bytes`, given back at once.
std::uint8_t* memory_for(Argon2Slots& slots, std::size_t bytes) {
    Computation c;
    std::uint8_t* seen = nullptr;
    slots.run(c.ctx, [&](argon2_context& ctx) {
        ctx.allocate_cbk(&seen, bytes);
        ctx.free_cbk(seen, bytes);
        return ARGON2_OK;
    });
    return seen;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(argon2_slots)

BOOST_AUTO_TEST_CASE(zero_means_the_online_cpus) {
    const Argon2Slots slots(0, kMemoryKib * 1024);
    BOOST_TEST(slots.count() ==
               static_cast<unsigned>(std::max(1L, ::sysconf(_SC_NPROCESSORS_ONLN))));
    BOOST_TEST(Argon2Slots(3, 1024).count() == 3u);
}

BOOST_AUTO_TEST_CASE(at_most_count_computations_at_once) {
    Argon2Slots slots(2, kMemoryKib * 1024);
    std::atomic<int> running{0};
    std::atomic<int> most{0};
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 5; ++i) {
                Computation c;
                const int rc = slots.run(c.ctx, [&](argon2_context& ctx) {
                    const int now = ++running;
                    int seen = most.load();
                    while (now > seen && !most.compare_exchange_weak(seen, now)) {
                    }
                    std::this_thread::sleep_for(std::chrono::milliseconds(3));
                    const int result = argon2_ctx(&ctx, Argon2_id);
                    --running;
                    return result;
                });
                if (rc != ARGON2_OK) ++failures;
            }
        });
    }
    for (auto& t : threads) t.join();
    BOOST_TEST(failures.load() == 0);
    BOOST_TEST(most.load() == 2);
}

BOOST_AUTO_TEST_CASE(a_slot_keeps_its_memory_and_lends_more_for_one_call) {
    Argon2Slots slots(1, kMemoryKib * 1024);
    std::uint8_t* const first = memory_for(slots, kMemoryKib * 1024);
    BOOST_REQUIRE(first != nullptr);
    BOOST_TEST(reinterpret_cast<std::uintptr_t>(first) % 4096 == 0u, "page-aligned");
    BOOST_TEST(memory_for(slots, 8 * 1024) == first, "smaller needs use the slot's memory");
    std::uint8_t* const bigger = memory_for(slots, 4 * kMemoryKib * 1024);
    BOOST_TEST(bigger != nullptr);
    BOOST_TEST(bigger != first);
    BOOST_TEST(memory_for(slots, kMemoryKib * 1024) == first);

    // And libargon2 computes the same hash in it as with its own malloc.
    for (const std::uint32_t m : {kMemoryKib, 4 * kMemoryKib}) {
        Computation ours(m);
        Computation stock(m);
        BOOST_TEST(slots.run(ours.ctx, [](argon2_context& ctx) {
            return argon2_ctx(&ctx, Argon2_id);
        }) == ARGON2_OK);
        BOOST_TEST(argon2_ctx(&stock.ctx, Argon2_id) == ARGON2_OK);
        BOOST_TEST(ours.out == stock.out);
    }
}

BOOST_AUTO_TEST_CASE(the_kept_memory_is_wiped_after_each_computation) {
    Argon2Slots slots(1, kMemoryKib * 1024);
    Computation c;
    BOOST_TEST(slots.run(c.ctx, [](argon2_context& ctx) { return argon2_ctx(&ctx, Argon2_id); }) ==
               ARGON2_OK);
    const std::uint8_t* const kept = memory_for(slots, kMemoryKib * 1024);
    BOOST_REQUIRE(kept != nullptr);
    BOOST_TEST(std::all_of(kept, kept + kMemoryKib * 1024, [](std::uint8_t b) { return b == 0; }));
}

BOOST_AUTO_TEST_CASE(a_throwing_computation_gives_its_slot_back) {
    Argon2Slots slots(1, kMemoryKib * 1024);
    Computation c;
    BOOST_CHECK_THROW(
        slots.run(c.ctx, [](argon2_context&) -> int { throw std::runtime_error("boom"); }),
        std::runtime_error);
    Computation again;
    BOOST_TEST(slots.run(again.ctx, [](argon2_context& ctx) {
        return argon2_ctx(&ctx, Argon2_id);
    }) == ARGON2_OK);
}

BOOST_AUTO_TEST_SUITE_END()
