import { addressAllowed, classifyAddress, isBlockedHostname } from "./address-policy";

describe("webhook address classifier", () => {
  it.each([
    ["8.8.8.8", "public"],
    ["1.1.1.1", "public"],
    ["93.184.216.34", "public"],
    ["172.32.0.1", "public"],
    ["100.128.0.1", "public"],
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "unspecified"],
    ["10.0.0.1", "private"],
    ["10.255.255.255", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["100.64.0.1", "shared"],
    ["127.0.0.1", "loopback"],
    ["127.255.0.9", "loopback"],
    ["169.254.169.254", "metadata"],
    ["169.254.1.1", "link-local"],
    ["224.0.0.1", "multicast"],
    ["239.255.255.250", "multicast"],
    ["240.0.0.1", "reserved"],
    ["255.255.255.255", "reserved"],
    ["192.0.2.10", "documentation"],
    ["198.18.0.1", "reserved"],
  ])("classifies IPv4 %s as %s", (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });

  it.each([
    ["2606:4700:4700::1111", "public"],
    ["2001:4860:4860::8888", "public"],
    ["::", "unspecified"],
    ["::1", "loopback"],
    ["0:0:0:0:0:0:0:1", "loopback"],
    ["[::1]", "loopback"],
    ["fe80::1", "link-local"],
    ["fe80::1%eth0", "link-local"],
    ["febf::1", "link-local"],
    ["fec0::1", "private"],
    ["fc00::1", "private"],
    ["fd12:3456::1", "private"],
    ["fd00:ec2::254", "metadata"],
    ["ff02::1", "multicast"],
    ["2001:db8::1", "documentation"],
    ["100::1", "reserved"],
    ["2001:0:4136:e378::1", "reserved"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::ffff:169.254.169.254", "metadata"],
    ["::ffff:a9fe:a9fe", "metadata"],
    ["::ffff:10.1.2.3", "private"],
    ["::ffff:8.8.8.8", "public"],
    ["::127.0.0.1", "loopback"],
    ["::8.8.8.8", "reserved"],
    ["64:ff9b::169.254.169.254", "metadata"],
    ["64:ff9b::8.8.8.8", "reserved"],
    ["2002:a9fe:a9fe::1", "metadata"],
    ["2002:0808:0808::1", "reserved"],
    ["3fff::1", "public"],
    ["4000::1", "reserved"],
  ])("classifies IPv6 %s as %s", (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });

  it.each(["", "localhost", "1.2.3", "256.1.1.1", "1::2::3", "12345::1", "::ffff:300.1.1.1", "g::1", "1:2:3:4:5:6:7:8:9"])("treats %p as invalid", (address) => {
    expect(classifyAddress(address)).toBe("invalid");
  });

  it("allows only public addresses, and loopback when the policy says so (emulator)", () => {
    expect(addressAllowed("8.8.8.8", { allowLoopback: false })).toBe(true);
    expect(addressAllowed("127.0.0.1", { allowLoopback: false })).toBe(false);
    expect(addressAllowed("::1", { allowLoopback: false })).toBe(false);
    expect(addressAllowed("127.0.0.1", { allowLoopback: true })).toBe(true);
    expect(addressAllowed("::ffff:127.0.0.1", { allowLoopback: true })).toBe(true);
    expect(addressAllowed("10.0.0.1", { allowLoopback: true })).toBe(false);
    expect(addressAllowed("169.254.169.254", { allowLoopback: true })).toBe(false);
    expect(addressAllowed("nonsense", { allowLoopback: true })).toBe(false);
  });

  it("blocks metadata and local host names before any lookup", () => {
    for (const name of ["metadata.google.internal", "METADATA.GOOGLE.INTERNAL.", "metadata", "localhost", "api.localhost", "foo.internal"]) expect(isBlockedHostname(name)).toBe(true);
    for (const name of ["example.com", "hooks.slack.com", "internal.example.com"]) expect(isBlockedHostname(name)).toBe(false);
  });
});
