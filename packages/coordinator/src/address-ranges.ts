import { BlockList, isIP } from "node:net";

/**
 * A set of IP addresses and CIDR ranges an operator names in the
 * configuration (trusted proxies, networks webhooks may reach). Node's own
 * BlockList does the matching: it needs no dependency, and it matches an
 * IPv4-mapped IPv6 address (::ffff:10.0.0.7) against IPv4 ranges, as a
 * dual-stack socket reports IPv4 peers.
 */
export class AddressRanges {
  private readonly list = new BlockList();
  readonly size: number;

  /** `entries`: addresses ("10.0.0.7", "::1") and CIDR ranges ("10.0.0.0/8", "fd00::/8"). */
  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const [address = "", prefix, ...rest] = entry.split("/");
      const family = isIP(address);
      const bits = prefix === undefined ? undefined : Number(prefix);
      const maxBits = family === 6 ? 128 : 32;
      if (family === 0 || rest.length > 0 || (bits !== undefined && !(Number.isInteger(bits) && bits >= 0 && bits <= maxBits && prefix !== ""))) {
        throw new Error(`"${entry}" is not an IP address or CIDR range (e.g. 10.0.0.7, 10.0.0.0/8, fd00::/8)`);
      }
      const type = family === 6 ? "ipv6" : "ipv4";
      if (bits === undefined) this.list.addAddress(address, type);
      else this.list.addSubnet(address, bits, type);
    }
    this.size = entries.length;
  }

  /** Parses a configuration value: entries separated by commas or spaces. */
  static parse(text: string | undefined): AddressRanges {
    return new AddressRanges((text ?? "").split(/[\s,]+/).filter(Boolean));
  }

  /** Whether `address` (an IP literal; anything else is not) is in the set. */
  includes(address: string | undefined): boolean {
    const family = address ? isIP(address) : 0;
    return family !== 0 && this.list.check(address!, family === 6 ? "ipv6" : "ipv4");
  }
}
