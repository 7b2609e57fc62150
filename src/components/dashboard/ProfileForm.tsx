"use client";

import { useId, useState, type FormEvent } from "react";
import { useRouter } from "next/navigation";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { updateMyProfile } from "@/backend/services/user.actions";
import { unwrap } from "@/lib/action-result";
import { queryKeys } from "@/lib/query-keys";
import { ErrorMessage } from "@/components/ui/ErrorMessage";
import { PageHeader } from "@/components/ui/PageHeader";
import { button, card, input, label } from "@/components/ui/styles";

export function ProfileForm({ me }: { me: { id: number; username: string; name: string; bio: string } }) {
  const id = useId();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [name, setName] = useState(me.name);
  const [bio, setBio] = useState(me.bio);
  const save = useMutation({
    mutationFn: async () => unwrap(await updateMyProfile({ name, bio })),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: queryKeys.user(me.id) });
      // The layout renders the name from the session; refresh it too.
      router.refresh();
    },
  });

  function handleSubmit(e: FormEvent) {
    e.preventDefault();
    save.mutate();
  }

  return (
    <div>
      <PageHeader title="Profile" />
      <form onSubmit={handleSubmit} className={`${card} space-y-4`}>
        <p className="text-sm text-slate-600">
          Signed in as <span className="font-medium">@{me.username}</span>
        </p>
        <div>
          <label htmlFor={`${id}-name`} className={label}>
            Name
          </label>
          <input id={`${id}-name`} value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} className={input} />
        </div>
        <div>
          <label htmlFor={`${id}-bio`} className={label}>
            Bio
          </label>
          <textarea id={`${id}-bio`} value={bio} onChange={(e) => setBio(e.target.value)} rows={4} maxLength={500} className={input} />
        </div>
        <ErrorMessage error={save.error} />
        {save.isSuccess && !save.isPending ? (
          <p role="status" className="text-sm text-emerald-700">
            Profile saved.
          </p>
        ) : null}
        <button type="submit" disabled={save.isPending} className={button.primary}>
          {save.isPending ? "Saving…" : "Save profile"}
        </button>
      </form>
    </div>
  );
}
