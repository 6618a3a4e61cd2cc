import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import type { AddressRanges } from "../address-ranges.ts";

// Where a tenant's webhook may be sent. A tenant names the URL, the
// coordinator POSTs to it from inside the farm's network: without a check, a
// tenant could make the farm call its database, its agents or the cloud's
// metadata service (169.254.169.254). So the farm sends webhooks only to
// globally reachable unicast addresses, unless the operator allows a network
// on purpose (ATELIER_WEBHOOK_ALLOW_NETWORKS).
//
// The ranges are IANA's special-purpose address registries (RFC 6890 and the
// RFCs that updated them) less the few entries marked globally reachable,
// plus multicast and the reserved 240/4. Matching is Node's own BlockList:
// no dependency, and the same matcher AddressRanges uses.

interface SpecialRange {
  network: string;
  bits: number;
  name: string;
}

const IPV4_SPECIAL: readonly SpecialRange[] = [
  { network: "0.0.0.0", bits: 8, name: "\"this network\", RFC 791" },
  { network: "10.0.0.0", bits: 8, name: "private-use, RFC 1918" },
  { network: "100.64.0.0", bits: 10, name: "shared address space (carrier-grade NAT), RFC 6598" },
  { network: "127.0.0.0", bits: 8, name: "loopback, RFC 1122" },
  { network: "169.254.0.0", bits: 16, name: "link-local (cloud metadata services), RFC 3927" },
  { network: "172.16.0.0", bits: 12, name: "private-use, RFC 1918" },
  { network: "192.0.0.0", bits: 24, name: "IETF protocol assignments, RFC 6890" },
  { network: "192.0.2.0", bits: 24, name: "documentation (TEST-NET-1), RFC 5737" },
  { network: "192.88.99.0", bits: 24, name: "6to4 relay anycast (deprecated), RFC 7526" },
  { network: "192.168.0.0", bits: 16, name: "private-use, RFC 1918" },
  { network: "198.18.0.0", bits: 15, name: "benchmarking, RFC 2544" },
  { network: "198.51.100.0", bits: 24, name: "documentation (TEST-NET-2), RFC 5737" },
  { network: "203.0.113.0", bits: 24, name: "documentation (TEST-NET-3), RFC 5737" },
  { network: "224.0.0.0", bits: 4, name: "multicast, RFC 5771" },
  { network: "240.0.0.0", bits: 4, name: "reserved, and the limited broadcast address, RFC 1112 and RFC 919" },
];

const IPV6_SPECIAL: readonly SpecialRange[] = [
  { network: "::", bits: 128, name: "unspecified address, RFC 4291" },
  { network: "::1", bits: 128, name: "loopback, RFC 4291" },
  { network: "::", bits: 96, name: "IPv4-compatible (deprecated), RFC 4291" },
  { network: "64:ff9b:1::", bits: 48, name: "local-use IPv4/IPv6 translation, RFC 8215" },
  { network: "100::", bits: 64, name: "discard-only, RFC 6666" },
  { network: "2001:db8::", bits: 32, name: "documentation, RFC 3849" },
  { network: "2001::", bits: 23, name: "IETF protocol assignments (Teredo, benchmarking, ORCHID), RFC 2928" },
  // A 6to4 address reaches the IPv4 host it embeds through whichever relay answers: that host is not checked here.
  { network: "2002::", bits: 16, name: "6to4 (deprecated), RFC 3056" },
  { network: "3fff::", bits: 20, name: "documentation, RFC 9637" },
  { network: "5f00::", bits: 16, name: "segment routing (SRv6) SIDs, RFC 9602" },
  { network: "fc00::", bits: 7, name: "unique-local, RFC 4193" },
  { network: "fe80::", bits: 10, name: "link-local, RFC 4291" },
  { network: "fec0::", bits: 10, name: "site-local (deprecated), RFC 3879" },
  { network: "ff00::", bits: 8, name: "multicast, RFC 4291" },
];

/** "a.b.c.d" → "xxxx:yyyy", the low 32 bits of an IPv6 address that embeds it. */
function embeddedHex(ipv4: string): string {
  const [a = 0, b = 0, c = 0, d = 0] = ipv4.split(".").map(Number);
  return `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
}

interface Matcher {
  list: BlockList;
  label: string;
}

function matcher(network: string, bits: number, family: "ipv4" | "ipv6", label: string): Matcher {
  const list = new BlockList();
  list.addSubnet(network, bits, family);
  return { list, label };
}

// An IPv6 address that carries an IPv4 one is judged by the IPv4 address it
// carries: an IPv4-mapped address (::ffff:0:0/96) is how a dual-stack socket
// reaches IPv4 (BlockList matches those against IPv4 ranges itself), and the
// NAT64 prefix (64:ff9b::/96, RFC 6052) is translated to the IPv4 address in
// its last 32 bits. Both prefixes are otherwise fine: an IPv6-only
// coordinator behind DNS64 reaches public receivers through 64:ff9b::/96.
const MATCHERS: readonly Matcher[] = [
  ...IPV6_SPECIAL.map((range) => matcher(range.network, range.bits, "ipv6", `${range.network}/${range.bits} (${range.name})`)),
  ...IPV4_SPECIAL.flatMap((range) => {
    const label = `${range.network}/${range.bits} (${range.name})`;
    return [matcher(range.network, range.bits, "ipv4", label), matcher(`64:ff9b::${embeddedHex(range.network)}`, 96 + range.bits, "ipv6", `${label}, through NAT64`)];
  }),
];
const IPV4_MAPPED = matcher("::ffff:0:0", 96, "ipv6", "IPv4-mapped");

/**
 * The special-purpose range an IP address falls in, as "127.0.0.0/8
 * (loopback, RFC 1122)"; undefined for a globally reachable unicast address.
 * Not an IP literal: throws.
 */
export function specialPurposeRange(address: string): string | undefined {
  const family = isIP(address);
  if (family === 0) throw new Error(`"${address.slice(0, 80)}" is not an IP address`);
  const type = family === 6 ? "ipv6" : "ipv4";
  const label = MATCHERS.find((m) => m.list.check(address, type))?.label;
  return label && type === "ipv6" && IPV4_MAPPED.list.check(address, type) ? `${label}, IPv4-mapped` : label;
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Every address a host name resolves to. The system's resolver (hosts file, then DNS) unless another is given. */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

const systemResolver: HostResolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));

/** The URL's host without IPv6 brackets: "[::1]" → "::1". */
function hostOf(url: URL): string {
  return url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
}

/** Where a delivery may connect: the addresses that passed the check, or why none may be used. */
export type Destination = { addresses: ResolvedAddress[] } | { refused: string };

export interface WebhookAddressPolicyOptions {
  /** Networks the operator lets webhooks reach although they are special-purpose (a receiver inside the cluster). */
  allowNetworks?: AddressRanges;
  resolve?: HostResolver;
}

/**
 * Decides where webhooks may go: at registration, a URL whose host is an IP
 * literal in a special-purpose range is refused; host names are checked at
 * each delivery, against every address they resolve to, because what a name
 * resolves to can change after it was registered.
 */
export class WebhookAddressPolicy {
  private readonly allowNetworks?: AddressRanges;
  private readonly resolve: HostResolver;

  constructor(options: WebhookAddressPolicyOptions = {}) {
    this.allowNetworks = options.allowNetworks;
    this.resolve = options.resolve ?? systemResolver;
  }

  /** Why `address` may not be sent to; undefined when it may. */
  refusal(address: string): string | undefined {
    if (this.allowNetworks?.includes(address)) return undefined;
    const range = specialPurposeRange(address);
    return range && `${address} is in ${range}, which webhooks may not reach unless the operator allows it in ATELIER_WEBHOOK_ALLOW_NETWORKS`;
  }

  /** At registration: why the URL's literal address is refused; undefined for an allowed address or a host name. */
  refusalAtRegistration(url: URL): string | undefined {
    const host = hostOf(url);
    return isIP(host) === 0 ? undefined : this.refusal(host);
  }

  /**
   * At delivery: resolves the URL's host and checks every address it
   * resolves to. One refused address refuses them all: a name that resolves
   * to a public and a private address would otherwise reach the private one
   * whenever the connection falls back to it. The caller connects only to
   * the addresses returned (see pinnedLookup), so the answer checked is the
   * answer used: no second lookup an attacker's DNS could answer differently.
   */
  async destination(url: URL): Promise<Destination> {
    const host = hostOf(url);
    const family = isIP(host);
    const addresses: ResolvedAddress[] = family !== 0 ? [{ address: host, family: family === 6 ? 6 : 4 }] : await this.resolve(host);
    if (addresses.length === 0) return { refused: `${host} resolves to no address` };
    for (const { address } of addresses) {
      const why = this.refusal(address);
      if (why) return { refused: family !== 0 ? why : `${host} resolves to ${why}` };
    }
    return { addresses };
  }
}
