CREATE TABLE "realtime_sockets" (
	"session_id" uuid NOT NULL,
	"socket_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "realtime_sockets_session_id_socket_id_pk" PRIMARY KEY("session_id","socket_id")
);
--> statement-breakpoint
ALTER TABLE "realtime_sockets" ADD CONSTRAINT "realtime_sockets_session_id_user_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."user_sessions"("id") ON DELETE cascade ON UPDATE no action;