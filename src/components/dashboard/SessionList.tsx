"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { deleteSession, mySessions } from "@/backend/services/session.actions";
import { queryKeys } from "@/lib/query-keys";
import { useServerAction } from "@/components/providers/RealtimeProvider";
import { EmptyState } from "@/components/ui/EmptyState";
import { ErrorMessage } from "@/components/ui/ErrorMessage";
import { Loading } from "@/components/ui/Loading";
import { PageHeader } from "@/components/ui/PageHeader";
import { Time } from "@/components/ui/Time";
import { button, card } from "@/components/ui/styles";

type SessionRow = Awaited<ReturnType<typeof mySessions>>[number];

export function SessionList() {
  const run = useServerAction();
  const sessions = useQuery({
    queryKey: queryKeys.mySessions(),
    // mySessions returns the list itself (an empty list when signed out), not an ActionResult.
    queryFn: () => mySessions(),
  });
  const revoke = useMutation({
    // The sessions signal it returns refreshes this list (and re-checks this device's own session).
    mutationFn: (id: string) => run(deleteSession({ id })),
  });
  const revokeOthers = useMutation({
    mutationFn: async (ids: string[]) => {
      // One at a time so the first refusal stops the run and is reported.
      for (const id of ids) await run(deleteSession({ id }));
    },
  });

  const others = (sessions.data ?? []).filter((s) => !s.current).map((s) => s.id);

  return (
    <div>
      <PageHeader title="Sessions">
        {others.length > 0 ? (
          <button
            type="button"
            className={button.danger}
            disabled={revokeOthers.isPending}
            onClick={() => revokeOthers.mutate(others)}
          >
            Revoke all other sessions
          </button>
        ) : null}
      </PageHeader>
      <p className="mb-4 text-sm text-slate-600">Devices signed in to your account. Revoking one signs that device out.</p>
      <ErrorMessage error={revoke.error ?? revokeOthers.error} className="mb-4" />
      {sessions.error ? (
        <ErrorMessage error={sessions.error} />
      ) : sessions.isPending ? (
        <Loading label="Loading sessions…" />
      ) : sessions.data.length === 0 ? (
        <EmptyState>No sessions.</EmptyState>
      ) : (
        <ul className="space-y-3">
          {sessions.data.map((s) => (
            <li key={s.id}>
              <SessionItem session={s} revoking={revoke.isPending && revoke.variables === s.id} onRevoke={() => revoke.mutate(s.id)} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function SessionItem({ session, revoking, onRevoke }: { session: SessionRow; revoking: boolean; onRevoke: () => void }) {
  return (
    <div
      data-testid={`session-${session.id}`}
      className={`${card} flex flex-wrap items-center justify-between gap-3 ${session.current ? "border-emerald-300" : ""}`}
    >
      <div className="min-w-0">
        <p className="truncate text-sm font-medium text-slate-800" title={session.device}>
          {session.device || "Unknown device"}
        </p>
        <p className="text-xs text-slate-500">
          {session.ip ? `${session.ip} · ` : ""}last active <Time value={session.last_action_at} /> · signed in{" "}
          <Time value={session.created_at} />
        </p>
      </div>
      {session.current ? (
        <span className="rounded bg-emerald-100 px-2 py-0.5 text-xs font-semibold text-emerald-800">This device</span>
      ) : (
        <button type="button" className={button.danger} disabled={revoking} onClick={onRevoke}>
          Revoke
        </button>
      )}
    </div>
  );
}
