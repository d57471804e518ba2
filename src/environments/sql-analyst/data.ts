import type { Database } from "sql.js";
import { Rng } from "../../util/index.js";

/** The categories, as `category_code` holds them. */
export const CATEGORIES = ["P2P", "MERCHANT", "BILL", "ATM", "REFUND"] as const;
export type Category = (typeof CATEGORIES)[number];

/** How the deprecated `transaction_category` column spelled each category (inconsistently) before 2026. */
const LEGACY_SPELLINGS: Record<Category, readonly string[]> = {
  P2P: ["P2P", "p2p", "peer-to-peer", "P2P transfer"],
  MERCHANT: ["MERCHANT", "merchant", "Merchant payment", "POS purchase"],
  BILL: ["BILL", "bill", "Bill pay", "utility"],
  ATM: ["ATM", "atm", "cash withdrawal"],
  REFUND: ["REFUND", "refund", "Refunded", "chargeback"],
};

/** The schema, exactly as questions are written against it. */
export const SCHEMA = `
CREATE TABLE transactions (
  txn_id INTEGER PRIMARY KEY, dt TEXT, ts TEXT, amount_cents INTEGER, currency TEXT,
  category_code TEXT, transaction_category TEXT, channel TEXT, status TEXT,
  sender_id INTEGER, receiver_id INTEGER, merchant_id INTEGER
);
CREATE TABLE users (user_id INTEGER PRIMARY KEY, signup_dt TEXT, country TEXT, tier TEXT);
CREATE TABLE merchants (merchant_id INTEGER PRIMARY KEY, name TEXT, mcc TEXT, country TEXT);
CREATE INDEX transactions_dt ON transactions (dt);
`;

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/**
 * Fills a database with payments from `from` to `today` (inclusive), generated from the seed.
 * Local time is UTC+1, and about a fifth of the transactions happen in the first local hour,
 * so `ts` (UTC) falls on the previous day for them: filtering on `ts` instead of `dt` is wrong.
 */
export function populate(db: Database, { seed, today, from = "2025-11-01", perDay = 90 }: { seed: number; today: string; from?: string; perDay?: number }): void {
  const rng = new Rng(seed);
  db.run(SCHEMA);
  const countries = ["DE", "FR", "ES", "IT", "NL"];
  const tiers = ["basic", "plus", "premium"];
  db.run("BEGIN");
  const insertUser = db.prepare("INSERT INTO users VALUES (?, ?, ?, ?)");
  for (let user = 1; user <= 400; user += 1) {
    insertUser.run([user, isoDay(new Date(Date.UTC(2024, rng.int(0, 11), rng.int(1, 28)))), rng.choice(countries), rng.choice(tiers)]);
  }
  insertUser.free();
  const insertMerchant = db.prepare("INSERT INTO merchants VALUES (?, ?, ?, ?)");
  const names = ["Corner Cafe", "City Grocer", "Metro Fuel", "Book Nook", "Tech Hub", "Green Pharmacy", "Sushi Bar", "Bike Shop"];
  for (let merchant = 1; merchant <= 40; merchant += 1) {
    insertMerchant.run([merchant, `${rng.choice(names)} ${merchant}`, String(5000 + rng.int(100, 999)), rng.choice(countries)]);
  }
  insertMerchant.free();
  const insert = db.prepare("INSERT INTO transactions VALUES (?, ?, ?, ?, 'EUR', ?, ?, ?, ?, ?, ?, ?)");
  let id = 1;
  for (let day = new Date(`${from}T00:00:00Z`); isoDay(day) <= today; day = new Date(day.getTime() + 86_400_000)) {
    const dt = isoDay(day);
    const count = perDay + rng.int(-20, 20);
    for (let index = 0; index < count; index += 1) {
      const category = rng.choice(CATEGORIES);
      const localMinute = rng.next() < 0.2 ? rng.int(0, 59) : rng.int(60, 24 * 60 - 1);
      // Local time is UTC+1: the UTC timestamp is an hour earlier.
      const ts = new Date(day.getTime() + (localMinute - 60) * 60_000).toISOString();
      const amount = category === "ATM" ? rng.int(2, 40) * 1000 : Math.round(Math.exp(rng.normal(7.5, 1)));
      const legacy = dt < "2026-01-01" ? rng.choice(LEGACY_SPELLINGS[category]) : null;
      const roll = rng.next();
      const status = roll < 0.8 ? "settled" : roll < 0.9 ? "pending" : "failed";
      const channel = category === "ATM" ? "pos" : rng.choice(["app", "app", "web", "pos"]);
      const merchant = category === "MERCHANT" || category === "BILL" ? rng.int(1, 40) : null;
      const receiver = category === "P2P" ? rng.int(1, 400) : null;
      insert.run([id, dt, ts, category === "REFUND" ? -amount : amount, category, legacy, channel, status, rng.int(1, 400), receiver, merchant]);
      id += 1;
    }
  }
  insert.free();
  db.run("COMMIT");
}
