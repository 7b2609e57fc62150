import { z } from "zod";

const flag = z
  .enum(["0", "1", "true", "false", ""])
  .optional()
  .transform((v) => v === "1" || v === "true");
const port = z.coerce.number().int().min(1).max(65535);

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
