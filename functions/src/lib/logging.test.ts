import { redact } from "./logging";

describe("redact", () => {
  it("replaces credentials and personal data at any depth and keeps ids", () => {
    const input = { uid: "u1", headers: { authorization: "Bearer abc" }, user: { email: "a@b.c", apiKey: "rpl_123" }, items: [{ token: "t" }] };

    expect(redact(input)).toEqual({
      uid: "u1",
      headers: { authorization: "[redacted]" },
      user: { email: "[redacted]", apiKey: "[redacted]" },
      items: [{ token: "[redacted]" }],
    });
  });
});
