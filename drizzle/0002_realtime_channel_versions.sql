CREATE TABLE "realtime_channel_versions" (
	"channel" text PRIMARY KEY NOT NULL,
	"version" bigint NOT NULL
);
