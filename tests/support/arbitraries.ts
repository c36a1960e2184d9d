// fast-check arbitraries for VALID ATIX messages of every kind (shared/contracts).
//
// Everything is built from fast-check primitives, so runs are reproducible from the seed and
// counterexamples shrink: UUID v7 ids are assembled from a timestamp plus fc-supplied random bits,
// times are formatted from integers. Values are well formed for the contract *and* for the
// exported JSON Schema: e.g. IPv6 without embedded IPv4, e-mail domain labels not ending in "-",
// URLs without surrounding white space (see tests/unit/contracts.property.test.ts for why).
import fc from "fast-check";
import type { z } from "zod";
import {
  COORDINATOR_ID,
  CREDIBILITIES,
  DUTY_STATUSES,
  ESCALATION_STEPS,
  HANDLING_CODES,
  MESSAGE_KINDS,
  PRECEDENCES,
  REGIONS,
  REJECTION_CODES,
  RELIABILITIES,
  SCHEMA_VERSION,
  THREAT_CATEGORIES,
  TLPS,
  type MESSAGE_SCHEMAS,
  type MessageKind,
} from "../../shared/contracts/index.ts";

/** What a sender may put on the wire for kind K (before zod fills in defaults). */
export type MessageInputOf<K extends MessageKind> = z.input<(typeof MESSAGE_SCHEMAS)[K]>;
export type MessageInput = { [K in MessageKind]: MessageInputOf<K> }[MessageKind];

type Json = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Characters, strings
// ---------------------------------------------------------------------------------------------

const HEX = "0123456789abcdef";
const HEX_MIXED = "0123456789abcdefABCDEF";
const BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";
const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789";

/** A string of `min`..`max` characters drawn from `chars`. */
export const stringOf = (chars: string, min: number, max = min): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...chars.split("")), minLength: min, maxLength: max });

export const codePoints = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

// ---------------------------------------------------------------------------------------------
// Times and ids
// ---------------------------------------------------------------------------------------------

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
/** Simulated time runs within these bounds. */
export const EPOCH_MIN = Date.UTC(2020, 0, 1);
export const EPOCH_MAX = Date.UTC(2035, 11, 31);

/** UTC offsets in minutes, including half and three-quarter hours (India, Nepal, Iran, Afghanistan). */
const OFFSETS = [0, 0, 0, 60, 120, 180, 210, 240, 270, 300, 330, 345, 360, 420, 480, 540, 600, 720, 840, -60, -180, -300, -480, -600] as const;

export interface TimeStyle {
  offsetMin: number;
  /** With offset 0: "Z" rather than "+00:00". */
  zulu: boolean;
  /** Fraction digits: none, milliseconds, or microseconds. */
  frac: 0 | 3 | 6;
  micro: number;
}

export const arbTimeStyle: fc.Arbitrary<TimeStyle> = fc.record({
  offsetMin: fc.constantFrom(...OFFSETS),
  zulu: fc.boolean(),
  frac: fc.constantFrom(0 as const, 3 as const, 6 as const),
  micro: fc.integer({ min: 0, max: 999 }),
});

/**
 * ISO 8601 with an explicit offset, e.g. 2026-09-21T13:45:00.123+05:30. Without a fraction the
 * time is truncated to the second, so the instant it denotes is at most 999 ms before `ms`.
 */
export function formatTimestamp(ms: number, s: TimeStyle): string {
  const local = new Date(ms + s.offsetMin * MINUTE).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  const frac = s.frac === 0 ? "" : s.frac === 3 ? local.slice(19, 23) : `${local.slice(19, 23)}${pad(s.micro, 3)}`;
  const abs = Math.abs(s.offsetMin);
  const offset = s.offsetMin === 0 && s.zulu ? "Z" : `${s.offsetMin < 0 ? "-" : "+"}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  return `${local.slice(0, 19)}${frac}${offset}`;
}

export const arbInstant = fc.integer({ min: EPOCH_MIN, max: EPOCH_MAX });
export const arbTimestamp: fc.Arbitrary<string> = fc.tuple(arbInstant, arbTimeStyle).map(([ms, s]) => formatTimestamp(ms, s));

/** A time strictly after the instant `sentMs` (at least one second, so formatting cannot undo it). */
export const arbAfter = (sentMs: number, maxMs = 30 * DAY): fc.Arbitrary<string> =>
  fc.tuple(fc.integer({ min: 1000, max: maxMs }), arbTimeStyle).map(([d, s]) => formatTimestamp(sentMs + d, s));

/** A time before the instant `sentMs`. */
export const arbBefore = (sentMs: number, maxMs = 30 * DAY): fc.Arbitrary<string> =>
  fc.tuple(fc.integer({ min: 1000, max: maxMs }), arbTimeStyle).map(([d, s]) => formatTimestamp(sentMs - d, s));

/** ISO date between two years, e.g. 1987-02-28. */
export const arbIsoDate = (fromYear: number, toYear: number): fc.Arbitrary<string> =>
  fc
    .integer({ min: Date.UTC(fromYear, 0, 1) / DAY, max: Date.UTC(toYear, 11, 31) / DAY })
    .map((d) => new Date(d * DAY).toISOString().slice(0, 10));

/** The random bits of a UUID v7: 12 bits rand_a, 62 bits rand_b (14 + 24 + 24). */
export type UuidV7Bits = [number, number, number, number];
export const arbUuidV7Bits: fc.Arbitrary<UuidV7Bits> = fc.tuple(
  fc.integer({ min: 0, max: 0xfff }),
  fc.integer({ min: 0, max: 0x3fff }),
  fc.integer({ min: 0, max: 0xffffff }),
  fc.integer({ min: 0, max: 0xffffff }),
);

/** RFC 9562 UUID v7: 48-bit Unix milliseconds, version 7, variant 10, then random bits. */
export function uuidV7(ms: number, [randA, randB14, randB24a, randB24b]: UuidV7Bits): string {
  const t = Math.floor(ms).toString(16).padStart(12, "0");
  const hex = (n: number, w: number) => n.toString(16).padStart(w, "0");
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-7${hex(randA, 3)}-${hex(0x8000 | randB14, 4)}-${hex(randB24a, 6)}${hex(randB24b, 6)}`;
}

export const arbUuidV7At = (ms: number): fc.Arbitrary<string> => arbUuidV7Bits.map((bits) => uuidV7(ms, bits));
export const arbUuidV7: fc.Arbitrary<string> = fc.tuple(arbInstant, arbUuidV7Bits).map(([ms, bits]) => uuidV7(ms, bits));
/** Any UUID the envelope's correlationId accepts. */
export const arbAnyUuid: fc.Arbitrary<string> = fc.oneof(fc.uuid({ version: 4 }), arbUuidV7);

// ---------------------------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------------------------

/** States of the simulated exchange, plus any other two capitals (the contract accepts them). */
const AGENCIES = [
  "AZ", "KZ", "UZ", "KG", "TJ", "TM", "RU", "BY", "AM", "GE", "CN", "MN", "IN", "PK", "IR", "TR",
  "AE", "SA", "EG", "JO", "DE", "FR", "IT", "GB", "US", "ID", "MY", "NG", "KE", "BR",
] as const;
export const arbCountry: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...AGENCIES) },
  { weight: 1, arbitrary: stringOf(UPPER, 2) },
);
/** An agency: its state's code, now and then with a service suffix (DE-BKA, XA-0417). */
export const arbAgency: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: arbCountry },
  { weight: 1, arbitrary: fc.tuple(arbCountry, stringOf(`${UPPER}0123456789`, 1, 8)).map(([state, suffix]) => `${state}-${suffix}`) },
);

const ORGANISATIONS = ["SCO", "CIS", "CSTO", "EAEU", "OIC", "ASEAN", "AU", "EU", "INTERPOL", "ATC-CIS", "RATS-SCO"] as const;
const SHARING_GROUPS = ["caspian-watch", "central-asia-ct", "border-ops-2026", "cyber-fusion", "aviation-security", "TF-finance"] as const;
const arbGroupName = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/);

const PERSON_NAMES = [
  // Cyrillic (Russian, Kazakh, Tajik, Mongolian)
  "Иван Сергеевич Петров", "Алишер Усманов", "Руслан Абдуллаев", "Нурлан Жумабеков", "Қайрат Сейітов",
  "Фаррух Назаров", "Батбаяр Дорж", "Ольга Смирнова",
  // Arabic, Persian, Urdu
  "محمد عبد الله", "أحمد بن يوسف", "عمر الفاروق", "خالد الحسيني", "علی رضایی", "عمران خان",
  // Chinese
  "王伟", "李娜", "张敏", "刘洋", "阿卜杜拉·艾合买提",
  // Latin with diacritics (Azerbaijani, Uzbek, Turkish, French, Irish, German)
  "Elçin Məmmədov", "Ərəstun Quliyev", "O‘tkir Hoshimov", "Gülnara Tokayeva", "Jean-Luc Dubois", "Seán O'Brien", "Zoë Müller",
  // Georgian, Armenian, Devanagari
  "გიორგი ბერიძე", "Արամ Պետրոսյան", "राहुल शर्मा",
] as const;

const ORG_NAMES = [
  "Исламское государство — Хорасан", "هيئة تحرير الشام", "东突厥斯坦伊斯兰运动", "Jamaat Ansarullah",
  "Katiba al-Tawhid wal-Jihad", "Hizb ut-Tahrir", "Silk Road Logistics LLC", "Əl-Nur Xeyriyyə Fondu",
] as const;

const PHRASES = [
  "Suspected courier expected at the Astara crossing within 48 hours",
  "Подозреваемый направляется к границе с Казахстаном через Кордай",
  "يُشتبه في محاولة عبور الحدود باستخدام جواز سفر مزور",
  "嫌疑人计划通过霍尔果斯口岸出境",
  "Şübhəli şəxs Bakı dəniz limanında görülüb",
  "Shipment of precursors expected via the Aktau seaport",
  "Contact the duty officer on the secure line only",
  "Reported by a border guard patrol at 03:40 local time",
  "Transfers to a wallet linked to a recruitment cell",
  "Не передавать третьим сторонам без согласия источника",
  "仅限指定机构使用，不得转发",
  "لا يجوز استخدامه أمام المحاكم دون موافقة المصدر",
  "Drone sightings near the refinery perimeter, pattern consistent with reconnaissance",
  "Nothing held on the persons named",
] as const;

const OFFICERS = ["DO-1", "Duty officer Baku", "Дежурный №2", "ضابط المناوبة", "值班员 3", "Watch desk Almaty", "SOC night shift"] as const;

/**
 * Free text of at most `max` code points (the contract's ShortText: non-empty, not only white
 * space). Mixes realistic multilingual phrases, random graphemes, surrounding white space and
 * strings exactly at the limit (counted in code points, so astral characters count once).
 */
export const arbText = (max: number): fc.Arbitrary<string> =>
  fc
    .oneof(
      { weight: 6, arbitrary: fc.constantFrom<string>(...PHRASES, ...PERSON_NAMES, ...ORG_NAMES) },
      { weight: 2, arbitrary: fc.lorem({ maxCount: 8 }) },
      { weight: 2, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }) },
      {
        weight: 1,
        arbitrary: fc
          .tuple(fc.constantFrom(" ", "\t", "\n", ""), fc.constantFrom<string>(...PHRASES), fc.constantFrom(" ", "\r\n", ""))
          .map(([a, b, c]) => `${a}${b}${c}`),
      },
      { weight: 1, arbitrary: fc.constantFrom("Ж", "a", "😀", "王", "ع", "𠀀").map((c) => c.repeat(max)) },
    )
    .filter((s) => /\S/.test(s) && codePoints(s) <= max);

export const arbPersonName: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom<string>(...PERSON_NAMES) },
  { weight: 1, arbitrary: arbText(200) },
);

// ---------------------------------------------------------------------------------------------
// Indicators
// ---------------------------------------------------------------------------------------------

export const CRYPTO_CURRENCIES = ["BTC", "ETH", "USDT-TRC20", "LTC", "XMR"] as const;
export type CryptoCurrency = (typeof CRYPTO_CURRENCIES)[number];

const arbLabel = fc
  .tuple(stringOf(LOWER_ALNUM, 1, 1), stringOf(`${LOWER_ALNUM}-`, 0, 14), stringOf(LOWER_ALNUM, 1, 1), fc.boolean())
  .map(([a, mid, z, short]) => (short ? a : `${a}${mid}${z}`));
const arbTld = fc.oneof(fc.constantFrom("org", "com", "net", "ru", "kz", "az", "uz", "cn", "info", "gov", "example"), stringOf("abcdefghijklmnopqrstuvwxyz", 2, 8));
export const arbDomain: fc.Arbitrary<string> = fc
  .tuple(fc.array(arbLabel, { minLength: 1, maxLength: 3 }), arbTld, fc.boolean())
  .map(([labels, tld, upper]) => {
    const d = [...labels, tld].join(".");
    return upper ? d.toUpperCase() : d;
  });

const arbIpv6: fc.Arbitrary<string> = fc
  .tuple(fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }), fc.nat(8), fc.nat(8), fc.boolean())
  .map(([groups, a, b, upper]) => {
    const hex = groups.map((g) => g.toString(16));
    const [from, to] = a <= b ? [a, b] : [b, a];
    // No compression, or "::" for groups from..to-1 (a run of one or more, possibly all).
    const text = from === to ? hex.join(":") : `${hex.slice(0, from).join(":")}::${hex.slice(to).join(":")}`;
    return upper ? text.toUpperCase() : text;
  });

const arbUrl: fc.Arbitrary<string> = fc
  .record({
    scheme: fc.constantFrom("http", "https", "https", "ftp", "HTTPS"),
    host: fc.oneof({ weight: 4, arbitrary: arbDomain }, { weight: 1, arbitrary: fc.ipV4() }, { weight: 1, arbitrary: fc.constantFrom("пример.рф", "例子.中国") }),
    port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
    path: fc.array(fc.oneof(stringOf(`${LOWER_ALNUM}-._~`, 1, 12), fc.constantFrom("%20", "путь", "wp-admin", "index.php")), { maxLength: 4 }),
    query: fc.option(fc.array(fc.tuple(stringOf(LOWER_ALNUM, 1, 6), stringOf(`${LOWER_ALNUM}%`, 0, 8)), { minLength: 1, maxLength: 3 }), { nil: undefined }),
    fragment: fc.option(stringOf(LOWER_ALNUM, 1, 8), { nil: undefined }),
  })
  .map(({ scheme, host, port, path, query, fragment }) =>
    [
      `${scheme}://${host}`,
      port === undefined ? "" : `:${port}`,
      path.length ? `/${path.join("/")}` : "",
      query ? `?${query.map(([k, v]) => `${k}=${v.replace(/%/g, "%25")}`).join("&")}` : "",
      fragment ? `#${fragment}` : "",
    ].join(""),
  );

const arbEmail: fc.Arbitrary<string> = fc
  .tuple(
    fc.array(stringOf(`${LOWER_ALNUM}_+-`, 1, 10), { minLength: 1, maxLength: 3 }),
    fc.constantFrom("", "o'", "MixedCase"),
    fc.array(arbLabel, { minLength: 1, maxLength: 2 }),
    stringOf("abcdefghijklmnopqrstuvwxyz", 2, 6),
  )
  .map(([local, prefix, labels, tld]) => `${prefix}${local.join(".")}@${[...labels, tld].join(".")}`);

const arbPhone: fc.Arbitrary<string> = fc
  .tuple(stringOf("123456789", 1), stringOf("0123456789", 6, 14))
  .map(([first, rest]) => `+${first}${rest}`);

const WALLETS: Record<CryptoCurrency, fc.Arbitrary<string>> = {
  BTC: fc.oneof(
    fc.tuple(fc.constantFrom("1", "3"), stringOf(BASE58, 25, 33)).map(([p, s]) => p + s),
    stringOf(BECH32, 38).map((s) => `bc1q${s}`),
    stringOf(BECH32, 58).map((s) => `bc1p${s}`),
  ),
  ETH: stringOf(HEX_MIXED, 40).map((s) => `0x${s}`),
  "USDT-TRC20": stringOf(BASE58, 33).map((s) => `T${s}`),
  LTC: fc.oneof(
    fc.tuple(fc.constantFrom("L", "M", "3"), stringOf(BASE58, 26, 33)).map(([p, s]) => p + s),
    stringOf(BECH32, 38).map((s) => `ltc1q${s}`),
  ),
  XMR: fc.tuple(fc.constantFrom("4", "8"), fc.constantFrom(..."0123456789AB".split("")), stringOf(BASE58, 93)).map(([a, b, s]) => a + b + s),
};

export const INDICATOR_VALUES = {
  ipv4: fc.ipV4(),
  ipv6: arbIpv6,
  domain: arbDomain,
  url: arbUrl,
  md5: fc.tuple(stringOf(HEX, 32), fc.boolean()).map(([h, up]) => (up ? h.toUpperCase() : h)),
  sha1: stringOf(HEX, 40),
  sha256: fc.tuple(stringOf(HEX, 64), fc.boolean()).map(([h, up]) => (up ? h.toUpperCase() : h)),
  email: arbEmail,
  phone: arbPhone,
} as const;
export type SimpleIndicatorType = keyof typeof INDICATOR_VALUES;

const indicatorExtras = {
  description: arbText(500),
  firstSeen: arbTimestamp,
};

export const arbWallet = (currency: CryptoCurrency): fc.Arbitrary<Json> =>
  fc.record(
    { type: fc.constant("crypto-wallet"), currency: fc.constant(currency), value: WALLETS[currency], ...indicatorExtras },
    { requiredKeys: ["type", "currency", "value"] },
  );

/** A valid indicator of the given type (crypto-wallet: any currency unless one is named). */
export function arbIndicatorOf(type: SimpleIndicatorType | "crypto-wallet", currency?: CryptoCurrency): fc.Arbitrary<Json> {
  if (type === "crypto-wallet") return currency ? arbWallet(currency) : fc.oneof(...CRYPTO_CURRENCIES.map(arbWallet));
  return fc.record({ type: fc.constant(type), value: INDICATOR_VALUES[type], ...indicatorExtras }, { requiredKeys: ["type", "value"] });
}

export const arbIndicator: fc.Arbitrary<Json> = fc.oneof(
  ...(Object.keys(INDICATOR_VALUES) as SimpleIndicatorType[]).map((t) => arbIndicatorOf(t)),
  ...CRYPTO_CURRENCIES.map(arbWallet),
);
export const arbIndicators = fc.array(arbIndicator, { maxLength: 6 });

// ---------------------------------------------------------------------------------------------
// Entities
// ---------------------------------------------------------------------------------------------

const arbLat = fc.oneof(
  fc.integer({ min: -90_000_000, max: 90_000_000 }).map((n) => n / 1e6),
  fc.double({ min: -90, max: 90, noNaN: true }).map((x) => (Object.is(x, -0) ? 0 : x)),
);
const arbLon = fc.oneof(
  fc.integer({ min: -180_000_000, max: 180_000_000 }).map((n) => n / 1e6),
  fc.double({ min: -180, max: 180, noNaN: true }).map((x) => (Object.is(x, -0) ? 0 : x)),
);

export const arbGeoPoint = fc.record(
  { name: arbText(200), country: arbCountry, lat: arbLat, lon: arbLon },
  { requiredKeys: ["lat", "lon"] },
);

const arbDocument = fc.record(
  {
    type: fc.constantFrom("passport", "id-card", "residence-permit", "visa", "driving-licence", "other"),
    number: fc.oneof(stringOf("ABCDEFGHJKLMNPRSTUVWXYZ0123456789", 6, 12), fc.constantFrom("№ 0412 556677", "AZE 1234567", "护照 E12345678")),
    issuingCountry: arbCountry,
    expires: arbIsoDate(2024, 2040),
  },
  { requiredKeys: ["type", "number", "issuingCountry"] },
);

const arbPerson = fc.record(
  {
    fullName: arbPersonName,
    aliases: fc.array(arbPersonName, { maxLength: 4 }),
    birthDate: arbIsoDate(1930, 2012),
    nationalities: fc.uniqueArray(arbCountry, { maxLength: 3 }),
    documents: fc.array(arbDocument, { maxLength: 3 }),
    role: fc.constantFrom("suspect", "wanted", "associate", "victim", "witness", "missing"),
    description: arbText(2000),
  },
  { requiredKeys: ["fullName"] },
);

const arbOrganisation = fc.record(
  {
    name: fc.oneof(fc.constantFrom<string>(...ORG_NAMES), arbText(200)),
    aliases: fc.array(arbText(200), { maxLength: 3 }),
    countries: fc.uniqueArray(arbCountry, { maxLength: 6 }),
    designation: fc.constantFrom("UN Security Council 1267 list", "Национальный список террористических организаций", "قائمة الإرهاب الوطنية"),
    description: arbText(2000),
  },
  { requiredKeys: ["name"] },
);

const arbVehicle = fc.record(
  {
    type: fc.constantFrom("car", "truck", "bus", "motorcycle", "vessel", "aircraft", "drone", "other"),
    make: fc.constantFrom("Toyota", "КАМАЗ", "Lada", "DJI", "Mercedes-Benz", "比亚迪"),
    model: fc.constantFrom("Land Cruiser 200", "5490", "Niva", "Mavic 3", "Actros", "汉"),
    colour: fc.constantFrom("white", "чёрный", "أبيض", "silver", "灰色"),
    registration: fc.constantFrom("10 AB 123", "А123ВС 77", "01 A 123 BC", "777 KZA 02", "粤B 12345"),
    registrationCountry: arbCountry,
    vin: stringOf(VIN_CHARS, 17),
    description: arbText(2000),
  },
  { requiredKeys: ["type"] },
);

const arbPlace = fc.record(
  {
    name: fc.oneof(fc.constantFrom("Astara border crossing", "Аэропорт Алматы", "ميناء بندر عباس", "霍尔果斯口岸"), arbText(200)),
    kind: fc.constantFrom("border-crossing", "airport", "seaport", "city", "facility", "critical-infrastructure", "other"),
    country: arbCountry,
    point: fc.record({ lat: arbLat, lon: arbLon }),
    description: arbText(2000),
  },
  { requiredKeys: ["name", "country"] },
);

const arbEvent = fc.record(
  { title: arbText(200), occurredAt: arbTimestamp, place: arbText(200), description: arbText(2000) },
  { requiredKeys: ["title"] },
);

export const arbEntities = fc.record(
  {
    persons: fc.array(arbPerson, { maxLength: 3 }),
    organisations: fc.array(arbOrganisation, { maxLength: 2 }),
    vehicles: fc.array(arbVehicle, { maxLength: 2 }),
    places: fc.array(arbPlace, { maxLength: 2 }),
    events: fc.array(arbEvent, { maxLength: 2 }),
  },
  { requiredKeys: [] },
);

// ---------------------------------------------------------------------------------------------
// Marking, handling, distribution
// ---------------------------------------------------------------------------------------------

export const arbPrecedence = fc.constantFrom(...PRECEDENCES);
export const arbTlp = fc.constantFrom(...TLPS);
export const arbHandling = fc.constantFrom(...HANDLING_CODES);
export const arbCategory = fc.constantFrom(...THREAT_CATEGORIES);
export const arbEvaluation = fc.record({ reliability: fc.constantFrom(...RELIABILITIES), credibility: fc.constantFrom(...CREDIBILITIES) });

/** Any selector combination with at least one selector. */
export const arbWideDistribution: fc.Arbitrary<Json> = fc
  .record(
    {
      all: fc.constant(true as const),
      regions: fc.uniqueArray(fc.constantFrom(...REGIONS), { minLength: 1, maxLength: 4 }),
      organisations: fc.uniqueArray(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...ORGANISATIONS) }, { weight: 1, arbitrary: arbGroupName }), { minLength: 1, maxLength: 3 }),
      sharingGroups: fc.uniqueArray(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...SHARING_GROUPS) }, { weight: 1, arbitrary: arbGroupName }), { minLength: 1, maxLength: 3 }),
      agencies: fc.uniqueArray(arbAgency, { minLength: 1, maxLength: 8 }),
    },
    { requiredKeys: [] },
  )
  .filter((d) => Object.keys(d).length > 0);

/** Named agencies only: what TLP:RED requires. */
export const arbNamedDistribution: fc.Arbitrary<Json> = fc.record({ agencies: fc.uniqueArray(arbAgency, { minLength: 1, maxLength: 8 }) });

/** tlp and distribution together: RED always goes to named agencies only. */
export const arbTlpDistribution = fc
  .tuple(arbTlp, arbWideDistribution, arbNamedDistribution)
  .map(([tlp, wide, named]) => ({ tlp, distribution: tlp === "RED" ? named : wide }));

/** handling with its note: H3 always states its restriction, other codes sometimes carry one. */
export const arbHandlingWithNote = fc
  .tuple(arbHandling, arbText(500), fc.boolean())
  .map(([handling, note, withNote]): Json => (handling === "H3" || withNote ? { handling, handlingNote: note } : { handling }));

export const arbSignature = fc.record({
  alg: fc.constant("ed25519" as const),
  key: stringOf(BASE32, 55).map((s) => `U${s}`),
  // 64 bytes in base64url: the last character's unused low bits are zero.
  value: fc.tuple(stringOf(BASE64URL, 85), fc.constantFrom("A", "Q", "g", "w")).map(([head, last]) => head + last),
});

// ---------------------------------------------------------------------------------------------
// Bodies per kind (those with times take the instant of sentAt)
// ---------------------------------------------------------------------------------------------

const alertContent = (sent: number) => ({
  precedence: arbPrecedence,
  category: arbCategory,
  evaluation: arbEvaluation,
  title: arbText(200),
  summary: arbText(4000),
  entities: arbEntities,
  indicators: arbIndicators,
  location: arbGeoPoint,
  validUntil: arbAfter(sent, 90 * DAY),
});

const BODIES: Record<MessageKind, (sent: number) => fc.Arbitrary<Json>> = {
  alert: (sent) =>
    fc
      .tuple(
        fc.record(alertContent(sent), { requiredKeys: ["precedence", "category", "evaluation", "title"] }),
        arbTlpDistribution,
        arbHandlingWithNote,
      )
      .map(([content, marking, handling]) => ({ ...content, ...marking, ...handling })),

  "alert-update": (sent) =>
    fc.record({
      alertId: arbUuidV7At(sent - DAY),
      reason: arbText(1000),
      changes: fc.record(alertContent(sent), { requiredKeys: [] }).filter((c) => Object.keys(c).length > 0),
    }),

  "alert-retraction": (sent) =>
    fc.record(
      { alertId: arbUuidV7At(sent - HOUR), reason: arbText(1000), instruction: fc.constantFrom("disregard", "destroy", "supersede") },
      { requiredKeys: ["alertId", "reason"] },
    ),

  rfi: (sent) =>
    fc
      .tuple(
        fc.record(
          {
            precedence: arbPrecedence,
            category: arbCategory,
            handling: arbHandling,
            question: arbText(4000),
            respondBy: arbAfter(sent, 14 * DAY),
            aboutAlert: arbUuidV7At(sent - 2 * DAY),
            entities: arbEntities,
            indicators: arbIndicators,
          },
          { requiredKeys: ["precedence", "category", "handling", "question", "respondBy"] },
        ),
        arbTlpDistribution,
      )
      .map(([rest, marking]) => ({ ...rest, ...marking })),

  "rfi-response": (sent) =>
    fc.record(
      {
        rfiId: arbUuidV7At(sent - 6 * HOUR),
        hasInformation: fc.boolean(),
        answer: arbText(8000),
        tlp: arbTlp,
        handling: arbHandling,
        evaluation: arbEvaluation,
        entities: arbEntities,
        indicators: arbIndicators,
      },
      { requiredKeys: ["rfiId", "hasInformation", "answer", "tlp", "handling"] },
    ),

  receipt: (sent) => fc.record({ messageId: arbUuidV7At(sent - 2000), receivedAt: arbBefore(sent, MINUTE) }),

  acknowledgement: (sent) =>
    fc.record(
      {
        messageId: arbUuidV7At(sent - 5 * MINUTE),
        officer: fc.oneof(fc.constantFrom<string>(...OFFICERS), arbText(100)),
        action: fc.constantFrom("noted", "acting", "forwarded-nationally", "no-action"),
        note: arbText(2000),
      },
      { requiredKeys: ["messageId", "officer", "action"] },
    ),

  escalation: (sent) =>
    fc.record(
      {
        messageId: arbUuidV7At(sent - HOUR),
        recipient: arbAgency,
        step: fc.constantFrom(...ESCALATION_STEPS),
        notify: arbAgency,
        via: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...ORGANISATIONS) }, { weight: 1, arbitrary: arbGroupName }),
        precedence: arbPrecedence,
        deadline: arbBefore(sent, 6 * HOUR),
      },
      { requiredKeys: ["messageId", "recipient", "step", "notify", "precedence", "deadline"] },
    ),

  rejection: (sent) =>
    fc.record(
      {
        messageId: arbUuidV7At(sent - 1000),
        submitter: arbAgency,
        reasons: fc.array(
          fc.record({
            code: fc.constantFrom(...REJECTION_CODES),
            path: fc.oneof(fc.constantFrom("", "id", "body.title", "body.distribution.agencies", "body.indicators[0].value"), fc.string({ maxLength: 40 })),
            message: arbText(1000),
          }),
          { minLength: 1, maxLength: 4 },
        ),
      },
      { requiredKeys: ["submitter", "reasons"] },
    ),

  acceptance: (sent) =>
    fc.record(
      { messageId: arbUuidV7At(sent - 1000), recipients: fc.uniqueArray(arbAgency, { minLength: 1, maxLength: 20 }), ackDeadline: arbAfter(sent, 6 * HOUR) },
      { requiredKeys: ["messageId", "recipients"] },
    ),

  presence: (sent) =>
    fc.record(
      { status: fc.constantFrom(...DUTY_STATUSES), officer: fc.oneof(fc.constantFrom<string>(...OFFICERS), arbText(100)), until: arbAfter(sent, 12 * HOUR) },
      { requiredKeys: ["status"] },
    ),

  hit: (sent) =>
    fc.record(
      {
        alertId: arbUuidV7At(sent - 3 * DAY),
        matched: fc.record({
          kind: fc.constantFrom("person", "organisation", "vehicle", "place", "indicator"),
          reference: fc.oneof(arbPersonName, INDICATOR_VALUES.ipv4, WALLETS.BTC, arbText(500)),
        }),
        observedAt: arbBefore(sent, 2 * DAY),
        location: arbGeoPoint,
        details: arbText(4000),
        tlp: arbTlp,
        handling: arbHandling,
      },
      { requiredKeys: ["alertId", "matched", "observedAt", "details", "tlp", "handling"] },
    ),
};

const COORDINATOR_KINDS: readonly MessageKind[] = ["escalation", "rejection", "acceptance"];

/** A valid message of one kind: envelope with optional fields present and absent, body after sentAt. */
export function arbMessageOf<K extends MessageKind>(kind: K): fc.Arbitrary<MessageInputOf<K>> {
  const sender = COORDINATOR_KINDS.includes(kind) ? fc.constant(COORDINATOR_ID) : arbAgency;
  return fc.tuple(arbInstant, arbTimeStyle).chain(([ms, style]) => {
    const sentAt = formatTimestamp(ms, style);
    const sent = Date.parse(sentAt);
    return fc.record(
      {
        id: arbUuidV7At(ms),
        kind: fc.constant(kind),
        schemaVersion: fc.constant(SCHEMA_VERSION),
        sender,
        sentAt: fc.constant(sentAt),
        correlationId: arbAnyUuid,
        inReplyTo: arbUuidV7At(sent - HOUR),
        signature: arbSignature,
        body: BODIES[kind](sent),
      },
      { requiredKeys: ["id", "kind", "schemaVersion", "sender", "sentAt", "body"] },
    );
  }) as unknown as fc.Arbitrary<MessageInputOf<K>>;
}

/** A valid message of any kind. */
export const arbMessage: fc.Arbitrary<MessageInput> = fc.oneof(...MESSAGE_KINDS.map((k) => arbMessageOf(k) as fc.Arbitrary<MessageInput>));
