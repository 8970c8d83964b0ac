#include <boost/test/unit_test.hpp>

#include "ip_network.hpp"

using namespace mfo;

BOOST_AUTO_TEST_SUITE(ip_network)

BOOST_AUTO_TEST_CASE(ipv4_networks_and_single_addresses) {
    const auto lan = IpNetwork::parse("10.0.0.0/8");
    BOOST_REQUIRE(lan);
    BOOST_TEST(lan->contains("10.1.2.3"));
    BOOST_TEST(lan->contains("10.255.255.255"));
    BOOST_TEST(!lan->contains("11.0.0.1"));
    BOOST_TEST(!lan->contains("9.255.255.255"));
    BOOST_TEST(lan->contains("::ffff:10.9.8.7"));  // IPv4-mapped counts as IPv4
    const auto one = IpNetwork::parse("127.0.0.1");
    BOOST_REQUIRE(one);
    BOOST_TEST(one->contains("127.0.0.1"));
    BOOST_TEST(!one->contains("127.0.0.2"));
    const auto odd = IpNetwork::parse("192.168.4.0/22");
    BOOST_REQUIRE(odd);
    BOOST_TEST(odd->contains("192.168.7.255"));
    BOOST_TEST(!odd->contains("192.168.8.0"));
    BOOST_TEST(IpNetwork::parse("0.0.0.0/0")->contains("203.0.113.9"));
}

BOOST_AUTO_TEST_CASE(ipv6_networks) {
    const auto loop = IpNetwork::parse("::1");
    BOOST_REQUIRE(loop);
    BOOST_TEST(loop->contains("::1"));
    BOOST_TEST(!loop->contains("::2"));
    BOOST_TEST(!loop->contains("127.0.0.1"));
    const auto ula = IpNetwork::parse("fd00::/8");
    BOOST_REQUIRE(ula);
    BOOST_TEST(ula->contains("fd12:3456::1"));
    BOOST_TEST(!ula->contains("fe80::1"));
    BOOST_TEST(!ula->contains("10.0.0.1"));
}

BOOST_AUTO_TEST_CASE(bad_networks_and_addresses_are_refused) {
    for (const char* bad : {"", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/x", "10.1.0.0/8", "300.1.1.1",
                            "localhost", "::1/129", "10.0.0.0/-1", "fe80::1/8"}) {
        BOOST_TEST(!IpNetwork::parse(bad), bad);
    }
    const auto lan = IpNetwork::parse("10.0.0.0/8");
    BOOST_TEST(!lan->contains(""));
    BOOST_TEST(!lan->contains("unix:"));
    BOOST_TEST(!lan->contains("10.0.0.1 "));
}

BOOST_AUTO_TEST_SUITE_END()
