import { clientIp, ipSubject, normaliseIp } from "./client-ip";

const req = (xff: string | undefined, remote = "10.0.0.9") => ({ headers: xff === undefined ? {} : { "x-forwarded-for": xff }, ip: "6.6.6.6", socket: { remoteAddress: remote } });

describe("clientIp", () => {
  it("takes the right-most entry, the one Google's front end appended", () => {
    expect(clientIp(req("1.1.1.1, 203.0.113.7"))).toBe("203.0.113.7");
  });

  it("ignores whatever the client put on the left", () => {
    expect(clientIp(req("spoofed, 8.8.8.8, 203.0.113.7"))).toBe("203.0.113.7");
  });

  it("counts back the configured hops behind a load balancer", () => {
    expect(clientIp(req("1.1.1.1, 203.0.113.7, 130.211.0.1"), { trustedProxyHops: 2 })).toBe("203.0.113.7");
  });

  it("falls back to the socket, not req.ip, when the header is missing, short or malformed", () => {
    expect(clientIp(req(undefined))).toBe("10.0.0.9");
    expect(clientIp(req("203.0.113.7"), { trustedProxyHops: 2 })).toBe("10.0.0.9");
    expect(clientIp(req("1.1.1.1, not-an-ip"))).toBe("10.0.0.9");
  });

  it("normalises mapped, bracketed and ported addresses", () => {
    expect(normaliseIp("::ffff:192.0.2.1")).toBe("192.0.2.1");
    expect(normaliseIp("[2001:DB8::1]:443")).toBe("2001:db8::1");
    expect(normaliseIp("192.0.2.1:8080")).toBe("192.0.2.1");
    expect(normaliseIp("nope")).toBeUndefined();
  });
});

describe("ipSubject", () => {
  it("keeps IPv4 addresses and groups IPv6 by /64", () => {
    expect(ipSubject("192.0.2.1")).toBe("192.0.2.1");
    expect(ipSubject("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(ipSubject("2001:db8:1:2:ffff:ffff:ffff:ffff")).toBe("2001:db8:1:2::/64");
    expect(ipSubject("::1")).toBe("0:0:0:0::/64");
  });
});
