// Indicators of compromise and identifiers carried by alerts. Each type checks its own
// format, so a malformed indicator is rejected at its path rather than passed on.
import { z } from "zod";
import { ShortText, Timestamp } from "./primitives.ts";

const common = {
  description: ShortText(500).optional(),
  firstSeen: Timestamp.optional(),
};

const DOMAIN = /^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

const simple = <T extends string>(type: T, value: z.ZodType<string>) =>
  z.object({ type: z.literal(type), value, ...common }).strict();

const wallet = <C extends string>(currency: C, pattern: RegExp, example: string) =>
  z
    .object({
      type: z.literal("crypto-wallet"),
      currency: z.literal(currency),
      value: z.string().regex(pattern, `expected a ${currency} address such as ${example}`),
      ...common,
    })
    .strict();

export const CryptoWallet = z.discriminatedUnion("currency", [
  wallet("BTC", /^(?:[13][a-km-zA-HJ-NP-Z1-9]{25,34}|bc1[ac-hj-np-z02-9]{11,71})$/, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"),
  wallet("ETH", /^0x[0-9a-fA-F]{40}$/, "0x52908400098527886E0F7030069857D2E4169EE7"),
  wallet("USDT-TRC20", /^T[1-9A-HJ-NP-Za-km-z]{33}$/, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"),
  wallet("LTC", /^(?:[LM3][a-km-zA-HJ-NP-Z1-9]{26,33}|ltc1[ac-hj-np-z02-9]{11,71})$/, "LQ3B36Yv2rBTxdgAdYpU2UcEZsaNwXeATk"),
  wallet("XMR", /^[48][0-9AB][1-9A-HJ-NP-Za-km-z]{93}$/, "a 95-character Monero address starting with 4 or 8"),
]);

export const Indicator = z.discriminatedUnion("type", [
  simple("ipv4", z.ipv4({ error: "expected an IPv4 address such as 203.0.113.7" })),
  // Patterns rather than parsers: what zod accepts, the exported JSON Schema accepts too.
  simple("ipv6", z.string().regex(z.regexes.ipv6, "expected an IPv6 address such as 2001:db8::7")),
  simple("domain", z.string().regex(DOMAIN, "expected a domain name such as example.org")),
  simple(
    "url",
    z
      .string()
      // The pattern carries the rule into the JSON Schema export; the parse check comes after it,
      // on the value as sent (z.url would trim and strip characters before checking).
      .regex(/^(?:[Hh][Tt][Tt][Pp][Ss]?|[Ff][Tt][Pp]):\/\/[^\s/?#\u0000-\u001f\u007f]+[^\s\u0000-\u001f\u007f]*$/, "expected an http(s) or ftp URL")
      .refine((v) => URL.canParse(v), "expected a URL that parses"),
  ),
  simple("md5", z.string().regex(/^[a-fA-F0-9]{32}$/, "expected an MD5 hash: 32 hex digits")),
  simple("sha1", z.string().regex(/^[a-fA-F0-9]{40}$/, "expected a SHA-1 hash: 40 hex digits")),
  simple("sha256", z.string().regex(/^[a-fA-F0-9]{64}$/, "expected a SHA-256 hash: 64 hex digits")),
  simple("email", z.string().regex(z.regexes.email, "expected an e-mail address such as name@example.org")),
  simple("phone", z.string().regex(z.regexes.e164, "expected an E.164 phone number such as +994125550100")),
  CryptoWallet,
]);
export type Indicator = z.infer<typeof Indicator>;
export const INDICATOR_TYPES = [
  "ipv4", "ipv6", "domain", "url", "md5", "sha1", "sha256", "email", "phone", "crypto-wallet",
] as const;
