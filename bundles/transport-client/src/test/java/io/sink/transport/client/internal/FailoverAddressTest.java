package io.sink.transport.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code servers} list of the client's configuration: what it accepts and how it refuses the rest. */
class FailoverAddressTest {
    private static List<ServerAddress> parse(String text) {
        return ServerAddress.parseList("servers", text, 4000);
    }

    @Test
    void hostPortEntriesSeparatedByCommasInTheirOrder() {
        assertThat(parse("sink1.example.org:4001, sink2.example.org:4002 ,10.0.0.3:4003")).containsExactly(
                new ServerAddress("sink1.example.org", 4001), new ServerAddress("sink2.example.org", 4002),
                new ServerAddress("10.0.0.3", 4003));
    }

    @Test
    void aHostAloneTakesThePortProperty() {
        assertThat(parse("a, b:4100")).containsExactly(new ServerAddress("a", 4000), new ServerAddress("b", 4100));
    }

    @Test
    void ipv6InBracketsWithOrWithoutPort() {
        assertThat(parse("[::1]:4001, [fe80::1%eth0], [2001:db8::7]:65535")).containsExactly(
                new ServerAddress("::1", 4001), new ServerAddress("fe80::1%eth0", 4000),
                new ServerAddress("2001:db8::7", 65535));
        assertThat(new ServerAddress("::1", 4001)).hasToString("[::1]:4001");
        assertThat(ServerAddress.describe(parse("a:1, [::1]:2"))).isEqualTo("a:1, [::1]:2");
    }

    @Test
    void blankIsNoList() {
        assertThat(parse("")).isEmpty();
        assertThat(parse("  ")).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "a:1,,b:2       | servers = \"a:1,,b:2\": address 2 is empty (addresses are separated by single commas)",
        "a:1,           | servers = \"a:1,\": address 2 is empty",
        "a:x            | servers = \"a:x\": address 1 \"a:x\": the port \"x\" is not a whole number from 1 to 65535",
        "a:0            | servers = \"a:0\": address 1 \"a:0\": the port \"0\" is not a whole number from 1 to 65535",
        "a:65536        | the port \"65536\" is not a whole number",
        "a:-1           | the port \"-1\" is not a whole number",
        "a:             | servers = \"a:\": address 1 \"a:\": the port \"\" is not a whole number",
        "::1:4000       | address 1 \"::1:4000\": an IPv6 address is written in brackets, e.g. [::1]:4000",
        "[::1:4000      | the '[' of an IPv6 address has no ']'",
        "[::1]x         | only ':port' may follow the ']' of an IPv6 address",
        "[host]:1       | brackets are for IPv6 addresses only",
        "'a b:1'        | servers = \"a b:1\": address 1 \"a b:1\": the host is not a host name or IP address",
        "a/b:1          | the host is not a host name or IP address",
        "-a:1           | the host is not a host name or IP address (it starts with '-')",
        ":4000          | address 1 \":4000\": the host must not be empty",
        "a:1, b:2, a:1  | servers = \"a:1, b:2, a:1\": address 3 a:1 is listed twice",
        "a, a:4000      | address 2 a:4000 is listed twice",
        "[::g]:1        | the host is not an IPv6 address",
    })
    void invalidListsAreRefusedNamingPropertyValueAddressAndWhy(String value, String message) {
        assertThatThrownBy(() -> parse(value)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message).hasMessageStartingWith("servers = ");
    }

    @Test
    void controlCharactersInARefusedValueAreEscaped() {
        assertThatThrownBy(() -> parse("a:1, evil\n2026-01-01 ERROR forged:1"))
                .hasMessage("servers = \"a:1, evil\\n2026-01-01 ERROR forged:1\": address 2 "
                        + "\"evil\\n2026-01-01 ERROR forged:1\": the host is not a host name or IP address "
                        + "(letters, digits, '-', '.', '_')");
        assertThatThrownBy(() -> parse("a:1\u001b[31m")).message().doesNotContain("\u001b").contains("\\e");
    }

    @Test
    void atMost64Servers() {
        StringBuilder many = new StringBuilder();
        for (int i = 1; i <= 65; i++) {
            many.append(i == 1 ? "" : ",").append("h").append(i);
        }
        assertThatThrownBy(() -> parse(many.toString())).hasMessageContaining("more than 64 addresses (65)");
        assertThat(parse(many.substring(0, many.lastIndexOf(",")))).hasSize(64);
    }

    @Test
    void anAddressChecksItsHostAndPort() {
        assertThatThrownBy(() -> new ServerAddress("", 1)).hasMessage("host \"\" must not be empty");
        assertThatThrownBy(() -> new ServerAddress("a", 0)).hasMessage("port must be between 1 and 65535, got 0");
        assertThatThrownBy(() -> new ServerAddress("a\tb", 1))
                .hasMessageStartingWith("host \"a\\tb\" is not a host name");
        assertThat(ServerAddress.hostProblem("x".repeat(254))).isEqualTo("is longer than 253 characters");
        assertThat(ServerAddress.hostProblem("x".repeat(253))).isNull();
        assertThat(ServerAddress.hostProblem("fe80::1%")).isEqualTo("is not an IPv6 address");
    }

    @Test
    void settingsRefuseNoServerOrOneListedTwice() {
        ClientSettings one = ClientSettings.defaults("localhost", 4000);
        assertThat(one.servers()).containsExactly(new ServerAddress("localhost", 4000));
        assertThat(one.host()).isEqualTo("localhost");
        assertThat(one.port()).isEqualTo(4000);
        assertThatThrownBy(() -> one.withServers(List.of())).hasMessage("at least one server address is needed");
        ServerAddress a = new ServerAddress("a", 1);
        assertThatThrownBy(() -> one.withServers(List.of(a, a))).hasMessageContaining("listed twice");
        ClientSettings two = one.withServers(List.of(a, new ServerAddress("b", 2)));
        assertThat(two.host()).isEqualTo("a");
        assertThat(two.withKeepalive(java.time.Duration.ofSeconds(1)).servers()).isEqualTo(two.servers());
    }
}
