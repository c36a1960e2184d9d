// Wording and indicators for generated background traffic: varied, plausible and repeatable.
import type { Indicator, ThreatCategory } from "../../shared/contracts/index.ts";
import { pick, type Rng } from "../../shared/prng.ts";

const SUBJECTS: Record<ThreatCategory, string[]> = {
  terrorism: ["Suspected cell activity near a transport hub", "Travel of a known foreign fighter", "Threat to a public event"],
  "religious-extremism": ["Extremist recruitment channel identified", "Radical preacher's travel plans", "Propaganda distribution network"],
  separatism: ["Armed separatist group regrouping", "Cross-border support to a separatist faction", "Weapons cache linked to separatists"],
  "organised-crime": ["Routine bulletin: organised crime group movements", "Money-laundering front company", "Kidnap-for-ransom network"],
  "drug-trafficking": ["Heroin consignment on the northern route", "Precursor chemicals diverted", "Synthetic drug laboratory dismantled"],
  "arms-smuggling": ["Small arms shipment in transit", "Diverted military explosives", "Drone components ordered by a front company"],
  "illegal-migration": ["Smuggling network using forged visas", "Irregular crossing point in use", "Document fraud ring"],
  cyber: ["Phishing wave against government mail", "Command-and-control server observed", "Ransomware affiliate activity"],
  "terrorist-financing": ["Hawala transfers to a listed group", "Crypto wallet funding a cell", "Charity used as a financing front"],
  "critical-infrastructure": ["Reconnaissance of a power substation", "Threat to a chemical plant", "Suspicious drone flights over a dam"],
  "humanitarian-crisis": ["Displacement after an attack", "Aid convoy under threat", "Hostage risk in a refugee camp"],
};

const QUESTIONS = [
  "Do you hold records on the persons or indicators below?",
  "Has this route or crossing point been observed in your area?",
  "Please confirm whether the named organisation is active in your jurisdiction.",
];

export function trafficTexts(rng: Rng, category: ThreatCategory, sender: string, kind: "alert" | "rfi") {
  const subject = pick(rng, SUBJECTS[category])!;
  const ref = Math.floor(rng.next() * 9000 + 1000);
  if (kind === "rfi") return { title: `RFI ${sender}-${ref}: ${subject}`, summary: pick(rng, QUESTIONS)! };
  return { title: `${subject} (${sender}-${ref})`, summary: `Background traffic: ${subject.toLowerCase()}. Reported by ${sender}; reference ${ref}.` };
}

const hex = (rng: Rng, n: number) => Array.from({ length: n }, () => Math.floor(rng.next() * 16).toString(16)).join("");
const b58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const word = (rng: Rng) => pick(rng, ["secure", "update", "portal", "mail", "cdn", "login", "files", "gov", "verify", "cloud"])!;

export function generatedIndicators(rng: Rng, n: number): Indicator[] {
  const makers: (() => Indicator)[] = [
    () => ({ type: "ipv4", value: `${pick(rng, ["192.0.2", "198.51.100", "203.0.113"])}.${1 + Math.floor(rng.next() * 254)}` }),
    () => ({ type: "domain", value: `${word(rng)}-${word(rng)}${Math.floor(rng.next() * 100)}.example.net` }),
    () => ({ type: "url", value: `https://${word(rng)}.example.org/${word(rng)}/${hex(rng, 8)}` }),
    () => ({ type: "sha256", value: hex(rng, 64) }),
    () => ({ type: "md5", value: hex(rng, 32) }),
    () => ({ type: "sha1", value: hex(rng, 40) }),
    () => ({ type: "email", value: `${word(rng)}.${hex(rng, 4)}@example.com` }),
    () => ({ type: "crypto-wallet", currency: "ETH", value: `0x${hex(rng, 40)}` }),
    () => ({ type: "crypto-wallet", currency: "BTC", value: `1${Array.from({ length: 30 }, () => pick(rng, [...b58])!).join("")}` }),
  ];
  return Array.from({ length: n }, () => pick(rng, makers)!());
}
