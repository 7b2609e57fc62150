CREATE TABLE "realtime_throttle_windows" (
	"key" text PRIMARY KEY NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"pending" boolean DEFAULT false NOT NULL
);
