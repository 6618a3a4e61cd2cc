import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { AddressRanges } from "../address-ranges.ts";
import { loadConfig } from "../config.ts";
import { pinnedPost } from "./pinned-post.ts";
import { specialPurposeRange, WebhookAddressPolicy, type HostResolver } from "./webhook-address-policy.ts";

// Expected ranges are IANA's IPv4 and IPv6 Special-Purpose Address Registries
// (RFC 6890, updated by RFC 8190), with the first and last address of a range
// and the addresses just outside it.
describe("specialPurposeRange", () => {
  it.each([
    ["0.0.0.0", "0.0.0.0/8"],
    ["0.255.255.255", "0.0.0.0/8"],
    ["10.0.0.0", "10.0.0.0/8"],
    ["10.255.255.255", "10.0.0.0/8"],
    ["100.64.0.0", "100.64.0.0/10"],
    ["100.127.255.255", "100.64.0.0/10"],
    ["127.0.0.1", "127.0.0.0/8"],
    ["127.255.255.254", "127.0.0.0/8"],
    ["169.254.0.0", "169.254.0.0/16"],
    ["169.254.169.254", "169.254.0.0/16"],
    ["172.16.0.0", "172.16.0.0/12"],
    ["172.31.255.255", "172.16.0.0/12"],
    ["192.0.0.8", "192.0.0.0/24"],
    ["192.0.2.1", "192.0.2.0/24"],
    ["192.88.99.1", "192.88.99.0/24"],
    ["192.168.0.1", "192.168.0.0/16"],
    ["192.168.255.255", "192.168.0.0/16"],
    ["198.18.0.0", "198.18.0.0/15"],
    ["198.19.255.255", "198.18.0.0/15"],
    ["198.51.100.7", "198.51.100.0/24"],
    ["203.0.113.7", "203.0.113.0/24"],
    ["224.0.0.1", "224.0.0.0/4"],
    ["239.255.255.255", "224.0.0.0/4"],
    ["240.0.0.0", "240.0.0.0/4"],
    ["255.255.255.255", "240.0.0.0/4"],
  ])("IPv4 %s is in %s", (address, range) => {
    expect(specialPurposeRange(address)).toMatch(new RegExp(`^${range.replaceAll(".", "\\.")} \\(`));
  });

  it.each([
    ["::", "::/128"],
    ["::1", "::1/128"],
    ["::7f00:1", "::/96"],
    ["64:ff9b:1::1", "64:ff9b:1::/48"],
    ["100::1", "100::/64"],
    ["2001::1", "2001::/23"],
    ["2001:2::1", "2001::/23"],
    ["2001:1ff:ffff::1", "2001::/23"],
    ["2001:db8::1", "2001:db8::/32"],
    ["2002:7f00:1::1", "2002::/16"],
    ["3fff::1", "3fff::/20"],
    ["fc00::1", "fc00::/7"],
    ["fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fc00::/7"],
    ["fe80::1", "fe80::/10"],
    ["febf:ffff::1", "fe80::/10"],
    ["fec0::1", "fec0::/10"],
    ["ff02::1", "ff00::/8"],
  ])("IPv6 %s is in %s", (address, range) => {
    expect(specialPurposeRange(address)).toMatch(new RegExp(`^${range} \\(`));
  });

  it.each([
    ["::ffff:127.0.0.1", "127.0.0.0/8", "IPv4-mapped"],
    ["::ffff:7f00:1", "127.0.0.0/8", "IPv4-mapped"],
    ["::ffff:169.254.169.254", "169.254.0.0/16", "IPv4-mapped"],
    ["::ffff:10.1.2.3", "10.0.0.0/8", "IPv4-mapped"],
    ["64:ff9b::10.0.0.1", "10.0.0.0/8", "through NAT64"],
    ["64:ff9b::a9fe:a9fe", "169.254.0.0/16", "through NAT64"],
  ])("an IPv6 address carrying an IPv4 one is judged by it: %s is in %s", (address, range, how) => {
    const label = specialPurposeRange(address);
    expect(label?.startsWith(`${range} (`)).toBe(true);
    expect(label?.endsWith(`, ${how}`)).toBe(true);
  });

  it.each([
    // just outside the ranges above
    "1.0.0.0", "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0", "126.255.255.255", "128.0.0.0",
    "169.253.255.255", "169.255.0.0", "172.15.255.255", "172.32.0.0", "192.0.1.0", "192.167.255.255", "192.169.0.0",
    "198.17.255.255", "198.20.0.0", "223.255.255.255",
    // marked globally reachable in the IPv4 registry (AS112, AMT)
    "192.31.196.1", "192.52.193.1", "192.175.48.1",
    "8.8.8.8", "1.1.1.1",
    // IPv6: public, just outside, and public IPv4 carried in IPv6
    "2001:4860:4860::8888", "2606:4700:4700::1111", "2001:200::1", "2003::1", "fbff:ffff::1",
    "::ffff:8.8.8.8", "64:ff9b::8.8.8.8", "64:ff9b::1.1.1.1",
  ])("%s is globally reachable", (address) => {
    expect(specialPurposeRange(address)).toBeUndefined();
  });

  it("throws for what is not an IP address", () => {
    expect(() => specialPurposeRange("localhost")).toThrow(/not an IP address/);
  });
});

describe("WebhookAddressPolicy", () => {
  const resolving = (answers: Record<string, string[]>): HostResolver => async (host) =>
    (answers[host] ?? []).map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));

  it("refuses literal special-purpose addresses at registration, in whatever form the URL spells them, and leaves host names to delivery", () => {
    const policy = new WebhookAddressPolicy();
    const refused = (url: string) => policy.refusalAtRegistration(new URL(url));
    expect(refused("http://169.254.169.254/latest/meta-data/")).toMatch(/^169\.254\.169\.254 is in 169\.254\.0\.0\/16 \(link-local.*ATELIER_WEBHOOK_ALLOW_NETWORKS/);
    // The URL parser reads every IPv4 spelling as the same address: 2130706433, 0x7f.1 and 127.1 are 127.0.0.1.
    for (const url of ["http://2130706433/", "http://0x7f.1/", "http://127.1:8080/", "https://[::1]/", "http://[::ffff:127.0.0.1]/", "http://0.0.0.0/", "http://[fd00::1]/"]) {
      expect(refused(url), url).toBeDefined();
    }
    expect(refused("https://8.8.8.8/hook")).toBeUndefined();
    expect(refused("https://[2606:4700:4700::1111]/hook")).toBeUndefined();
    expect(refused("http://localhost/hook")).toBeUndefined();
  });

  it("at delivery, refuses a host when any address it resolves to is special-purpose, and returns the checked addresses otherwise", async () => {
    const policy = new WebhookAddressPolicy({ resolve: resolving({ "public.example": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"], "mixed.example": ["93.184.215.14", "10.0.0.5"], "nowhere.example": [] }) });
    expect(await policy.destination(new URL("https://public.example/hook"))).toEqual({
      addresses: [{ address: "93.184.215.14", family: 4 }, { address: "2606:2800:21f:cb07:6820:80da:af6b:8b2c", family: 6 }],
    });
    expect(await policy.destination(new URL("https://mixed.example/hook"))).toEqual({ refused: expect.stringMatching(/^mixed\.example resolves to 10\.0\.0\.5 is in 10\.0\.0\.0\/8/) as string });
    expect(await policy.destination(new URL("https://nowhere.example/hook"))).toEqual({ refused: "nowhere.example resolves to no address" });
    // A literal address is not resolved.
    expect(await policy.destination(new URL("http://[::1]:9/"))).toEqual({ refused: expect.stringMatching(/^::1 is in ::1\/128/) as string });
  });

  it("lets the operator's networks through, and only those", async () => {
    const policy = new WebhookAddressPolicy({ allowNetworks: AddressRanges.parse("127.0.0.0/8, fd00:1::/32"), resolve: resolving({ "hooks.internal": ["127.0.0.1"], "db.internal": ["10.0.0.9"] }) });
    expect(policy.refusalAtRegistration(new URL("http://127.0.0.1:8080/"))).toBeUndefined();
    expect(policy.refusalAtRegistration(new URL("http://[::ffff:127.0.0.1]/"))).toBeUndefined();
    expect(policy.refusalAtRegistration(new URL("http://[fd00:1::5]/"))).toBeUndefined();
    expect(policy.refusalAtRegistration(new URL("http://[fd00:2::5]/"))).toMatch(/fc00::\/7/);
    expect(policy.refusalAtRegistration(new URL("http://[::1]/"))).toMatch(/::1\/128/);
    expect(await policy.destination(new URL("http://hooks.internal/"))).toEqual({ addresses: [{ address: "127.0.0.1", family: 4 }] });
    expect(await policy.destination(new URL("http://db.internal/"))).toMatchObject({ refused: expect.stringMatching(/10\.0\.0\.0\/8/) as string });
  });
});

describe("ATELIER_WEBHOOK_ALLOW_NETWORKS", () => {
  it("is read at start; an entry that is not an address or range stops the start, naming the variable and the entry", () => {
    expect(loadConfig({}).ATELIER_WEBHOOK_ALLOW_NETWORKS).toBe("");
    expect(loadConfig({ ATELIER_WEBHOOK_ALLOW_NETWORKS: "10.20.0.0/16, fd00::/8" }).ATELIER_WEBHOOK_ALLOW_NETWORKS).toBe("10.20.0.0/16, fd00::/8");
    for (const bad of ["10.0.0.0/33", "hooks.internal", "10.0.0.0/8/1", "::1/129"]) {
      expect(() => loadConfig({ ATELIER_WEBHOOK_ALLOW_NETWORKS: bad }), bad).toThrow(`ATELIER_WEBHOOK_ALLOW_NETWORKS: "${bad}" is not an IP address or CIDR range`);
    }
  });
});

describe("pinnedPost", () => {
  it("connects to the address it was given, never asking DNS about the URL's host", async () => {
    let received = "";
    const server = createServer((req, res) => {
      received = String(req.headers.host);
      req.resume();
      req.on("end", () => res.writeHead(302, { location: "http://169.254.169.254/" }).end());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      // .invalid never resolves (RFC 6761): only the pinned address can have answered.
      const url = new URL(`http://receiver.invalid:${port}/hook`);
      const status = await pinnedPost(url, [{ address: "127.0.0.1", family: 4 }], { "content-type": "application/json" }, "{}", AbortSignal.timeout(10_000));
      // A redirect is the answer, not followed.
      expect(status).toBe(302);
      expect(received).toBe(`receiver.invalid:${port}`);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
