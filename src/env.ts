import { z } from "zod";

const flag = z
  .enum(["0", "1", "true", "false", ""])
  .optional()
  .transform((v) => v === "1" || v === "true");
const port = z.coerce.number().int().min(1).max(65535);

/**
 * Broker credentials committed in this repository for development: `.env.development` (next dev), `config/soketi.json`
 * (the Soketi of `npm run dev` and the tests' base config) and `docker-compose.soketi.yml`. Anyone can read them, so
 * anyone could sign their own private-channel subscriptions against a broker that uses them: production refuses them
 * (tests/unit/env.test.ts checks that these files hold exactly these values and no other tracked file does).
 */
export const COMMITTED_PUSHER_CREDENTIALS: readonly string[] = ["techdiary-key", "techdiary-secret"];

/** Soketi's built-in default app (what it serves when its config names none): just as public. */
export const SOKETI_DEFAULT_CREDENTIALS: readonly string[] = ["app-key", "app-secret"];

const PUBLIC_CREDENTIALS = new Set([...COMMITTED_PUSHER_CREDENTIALS, ...SOKETI_DEFAULT_CREDENTIALS]);

const PRODUCTION_BROKER_HINT =
  "use your broker's own credentials, or leave PUSHER_APP_ID, PUSHER_KEY and PUSHER_SECRET unset and `npm start` runs " +
  "the bundled local broker with a secret generated on this machine";

/** INNGEST_DEV as the Inngest SDK and src/lib/inngest.ts read it: anything but unset, empty, 0 or false turns it on. */
export function inngestDevRequested(value: string | undefined): boolean {
  const v = value?.trim().toLowerCase();
  return !!v && v !== "0" && v !== "false";
}

const EnvSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    APP_URL: z.url().default("http://localhost:3000"),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
      .optional()
      .or(z.literal("").transform(() => undefined)),
    PGLITE_DATA_DIR: z.string().min(1).default(".data/pglite"),
    DEMO_LOGIN: z.enum(["0", "1", ""]).optional(),
    PUSHER_APP_ID: z.string().min(1).optional(),
    PUSHER_KEY: z.string().min(1).optional(),
    PUSHER_SECRET: z.string().min(1).optional(),
    PUSHER_HOST: z.string().min(1).optional(),
    PUSHER_PORT: port.optional(),
    PUSHER_USE_TLS: flag,
    PUSHER_CLUSTER: z.string().min(1).default("mt1"),
    PUSHER_PUBLIC_HOST: z.string().min(1).optional(),
    PUSHER_PUBLIC_PORT: port.optional(),
    PUSHER_PUBLIC_TLS: flag,
    REALTIME_PUBLISH_TIMEOUT_MS: z.coerce.number().int().min(50).max(30_000).default(2_000),
    // How often a server action's failed publish is tried again (after 250 ms, 1 s, 4 s, ...) before it is lost.
    REALTIME_PUBLISH_RETRIES: z.coerce.number().int().min(0).max(5).default(3),
    // Bearer token for the details of /api/realtime/health; unset = only the public {ok}.
    REALTIME_HEALTH_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
    INNGEST_DEV: z.string().optional(),
    INNGEST_EVENT_KEY: z.string().optional(),
    INNGEST_SIGNING_KEY: z.string().optional(),
  })
  .superRefine((env, ctx) => {
    const broker = [env.PUSHER_APP_ID, env.PUSHER_KEY, env.PUSHER_SECRET];
    const set = broker.filter(Boolean).length;
    if (set !== 0 && set !== 3) {
      ctx.addIssue({
        code: "custom",
        path: ["PUSHER_APP_ID"],
        message: "PUSHER_APP_ID, PUSHER_KEY and PUSHER_SECRET must be set together (or all left empty for realtime off)",
      });
    }
    if (env.NODE_ENV !== "production") return;
    if (env.PUSHER_SECRET && PUBLIC_CREDENTIALS.has(env.PUSHER_SECRET.trim())) {
      ctx.addIssue({
        code: "custom",
        path: ["PUSHER_SECRET"],
        message:
          "is a published development secret (committed in this repository, or Soketi's default): anyone can sign " +
          `private-channel subscriptions with it. Not in production: ${PRODUCTION_BROKER_HINT}`,
      });
    }
    if (env.PUSHER_KEY && PUBLIC_CREDENTIALS.has(env.PUSHER_KEY.trim())) {
      ctx.addIssue({
        code: "custom",
        path: ["PUSHER_KEY"],
        message:
          "is a published development key (committed in this repository, or Soketi's default): a broker app with it " +
          `is the committed one, whose secret is public too. Not in production: ${PRODUCTION_BROKER_HINT}`,
      });
    }
    if (inngestDevRequested(env.INNGEST_DEV)) {
      ctx.addIssue({
        code: "custom",
        path: ["INNGEST_DEV"],
        message:
          "must not be set in production: it puts Inngest in dev mode, where /api/inngest accepts unsigned calls (anyone " +
          "could run the app's functions). Unset it and set INNGEST_SIGNING_KEY and INNGEST_EVENT_KEY from your Inngest " +
          "app (or leave all three unset: notifications then run in-process after each response)",
      });
    }
  });

export type Env = z.infer<typeof EnvSchema>;

let cached: Env | undefined;

/** Parses process.env once; every bad variable is named in one error. */
export function getEnv(): Env {
  if (cached) return cached;
  const parsed = EnvSchema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".") || "(env)"}: ${i.message}`);
    throw new Error(`Invalid environment configuration:\n${lines.join("\n")}`);
  }
  cached = parsed.data;
  return cached;
}

/** Tests change process.env between suites. */
export function resetEnvCache(): void {
  cached = undefined;
}

export function demoLoginEnabled(env: Env = getEnv()): boolean {
  if (env.DEMO_LOGIN === "1") return true;
  if (env.DEMO_LOGIN === "0") return false;
  return env.NODE_ENV !== "production";
}
